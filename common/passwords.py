"""Django's password validators with their messages in Chinese.

Django 5.2's zh-hans catalogue misses some of them (the length message
changed its wording), and a person setting a password must understand why it
was refused. The rules are Django's own."""

from django.contrib.auth import password_validation as pv


class MinimumLengthValidator(pv.MinimumLengthValidator):
    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"至少 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(pv.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "密码与%(verbose_name)s太相似，请换一个。"

    def get_help_text(self):
        return "不要与用户名、姓名相近。"


class CommonPasswordValidator(pv.CommonPasswordValidator):
    def get_error_message(self):
        return "这个密码太常见，容易被猜到，请换一个。"

    def get_help_text(self):
        return "不能是常见密码。"


class NumericPasswordValidator(pv.NumericPasswordValidator):
    def get_error_message(self):
        return "密码不能全是数字。"

    def get_help_text(self):
        return "不能全是数字。"
