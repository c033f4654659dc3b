"""Reads: scoped querysets and the settings every rule reads from."""

from django.db.models import Q

from .jurisdiction import SYSTEM, access
from .models import Child, County, Household, JurisdictionSettings, Village
from .pinyin import pinyin_keys
from .schoolage import compulsory_birth_range, school_age


def command_actor(username):
    """Whom a management command acts as: the active user named by --user
    (exactly their reach, recorded as them), or SYSTEM without one."""
    if not username:
        return SYSTEM
    from django.contrib.auth import get_user_model

    found = get_user_model().objects.filter(username=username, is_active=True).first()
    if found is None:
        raise LookupError(f"没有名为“{username}”的在用用户")
    return found


def settings_for(*, township=None, county=None):
    """The JurisdictionSettings in force for a township (or a whole county).

    A township's own row wins over its county's; a county without a row gets
    the defaults (an unsaved instance), never an error.
    """
    if township is not None:
        county = township.county
        own = JurisdictionSettings.objects.filter(township=township).first()
        if own:
            return own
    row = JurisdictionSettings.objects.filter(county=county, township__isnull=True).first()
    return row or JurisdictionSettings(county=county)


def document_prefix_for(township):
    """The 机关代字 of a township's documents (GB/T 9704 发文字号): its own
    setting, else the default from its name."""
    own = settings_for(township=township)
    if own.township_id == township.pk and own.document_prefix:
        return own.document_prefix
    return JurisdictionSettings.default_document_prefix(township.name)


def settings_groups(*, county=None, township=None, path="village__township"):
    """[(Q, settings)] that put every row under exactly one settings row.

    `path` leads from the queried model to Township. A township with its own
    settings (its own entry cutoff) gets its own group, the rest of each
    county the county's: a handful of SQL conditions, never one per row.
    With `township` the caller has already narrowed the rows to it.
    """
    if township is not None:
        return [(Q(), settings_for(township=township))]
    own = JurisdictionSettings.objects.filter(township__isnull=False)
    if county is not None:
        own = own.filter(county=county)
    own = list(own)
    groups = [(Q(**{path: s.township_id}), s) for s in own]
    # Spelled out: a negated IN inside an OR would drop rows without a place.
    rest = (
        Q(**{f"{path}__isnull": True}) | ~Q(**{f"{path}__in": [s.township_id for s in own]})
        if own
        else Q()
    )
    counties = [county] if county is not None else list(County.objects.all())
    for c in counties:
        where = rest if county is not None else rest & Q(**{f"{path}__county": c.pk})
        groups.append((where, settings_for(county=c)))
    return groups


def compulsory_age_q(*, county=None, township=None, path="village__township", on=None, groups=None):
    """A Q: of compulsory-education age (grades 1–9) on `on`, each row by the
    entry cutoff in force where it lives (`groups`: from settings_groups())."""
    q = Q(pk__in=[])
    groups = groups or settings_groups(county=county, township=township, path=path)
    for where, s in groups:
        earliest, latest = compulsory_birth_range(
            cutoff_month=s.entry_cutoff_month, cutoff_day=s.entry_cutoff_day, on=on
        )
        q |= where & Q(birth_date__range=(earliest, latest))
    return q


def school_age_of(child, *, on=None):
    township = child.village.township
    s = settings_for(township=township)
    return school_age(
        child.birth_date, cutoff_month=s.entry_cutoff_month, cutoff_day=s.entry_cutoff_day, on=on
    )


def child_for_user(user, pk):
    """The child, or Child.DoesNotExist when it is outside the user's reach
    (`access(user).children()`: who may open a child)."""
    return (
        Child.objects.filter(access(user).children())
        .select_related("village__township__county", "school__township__county", "household")
        .get(pk=pk)
    )


def households_for_user(user):
    return Household.objects.filter(access(user).households()).select_related("village__township")


def editable_households_for_user(user):
    """Households in the villages where the user keeps the roster."""
    return Household.objects.filter(village__in=Village.objects.filter(access(user).villages()))


def id_number_owner(id_number, *, exclude_pk=None):
    """The child already registered with this ID number anywhere, or None."""
    if not id_number:
        return None
    return (
        Child.objects.filter(id_number=id_number)
        .exclude(pk=exclude_pk)
        .select_related("village__township")
        .first()
    )


def similar_children(
    *, name, birth_date, father_name="", mother_name="", household=None, exclude_pk=None
):
    """Children who may be this one: the same name and birth date, or a name
    that sounds the same (pinyin) with the same birth date and guardian."""
    if not name or not birth_date:
        return Child.objects.none()
    name_pinyin, _ = pinyin_keys(name)
    same_guardian = Q(pk__in=[])
    for guardian in filter(None, (father_name, mother_name)):
        same_guardian |= Q(father_name=guardian) | Q(mother_name=guardian)
    if household is not None:
        same_guardian |= Q(household=household) | Q(
            household__head_name=household.head_name, village_id=household.village_id
        )
    return (
        Child.objects.filter(birth_date=birth_date)
        .filter(Q(name=name) | (Q(name_pinyin=name_pinyin) & same_guardian))
        .exclude(pk=exclude_pk)
        .select_related("village__township")[:10]
    )
