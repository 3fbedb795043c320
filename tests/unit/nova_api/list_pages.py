"""What a fake conductor's instance_list answers: the instances its
instance_get_all gives, cut to `fields` as the real one sends them (the
list views read no others)."""

from common import row_pages


def page_of(instances, fields):
    return row_pages.pack(fields, [[i.get(k) for k in fields]
                                   for i in instances])
