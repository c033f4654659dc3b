"""The access log (访问日志): who saw, exported, downloaded, imported or
changed what, when and from where (PIPL Art. 51; DOMAIN §9)."""
