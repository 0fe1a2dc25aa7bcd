"""Where a model server may be: public addresses, or networks the operator lists."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.lib.recommend.addresses import (
    AddressListError,
    address_allowed,
    parse_networks,
    plain_address,
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.0.10",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared address space
        "0.0.0.0",  # noqa: S104 - an address refused, not bound
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1%eth0",
        "fd00::5",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "not an address",
        "",
    ],
)
def test_internal_addresses_are_refused_by_default(address):
    assert not address_allowed(address, ())


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert address_allowed(address, ())


def test_a_listed_network_allows_its_addresses_only():
    networks = parse_networks(["10.0.0.0/8", " 127.0.0.1 ", "fd00::/8"])
    assert address_allowed("10.200.0.1", networks)
    assert address_allowed("::ffff:10.200.0.1", networks)
    assert address_allowed("127.0.0.1", networks)
    assert not address_allowed("127.0.0.2", networks)
    assert address_allowed("fd00::5", networks)
    assert not address_allowed("192.168.0.1", networks)


@pytest.mark.parametrize("value", ["10.0.0.0/33", "localhost", "10.0.0.0/8/8", ""])
def test_a_bad_network_is_named(value):
    with pytest.raises(AddressListError, match="is not a network"):
        parse_networks([value])


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv4_address_written_as_ipv6_is_judged_as_itself(number):
    v4 = ipaddress.IPv4Address(number)
    mapped = f"::ffff:{v4}"
    networks = parse_networks(["10.0.0.0/8"])
    assert plain_address(mapped) == v4
    assert address_allowed(mapped, networks) == address_allowed(str(v4), networks)
    assert address_allowed(str(v4), ()) == (v4.is_global and not v4.is_multicast)


@given(st.integers(min_value=0, max_value=2**24 - 1))
def test_every_address_of_a_listed_private_network_is_allowed(offset):
    address = str(ipaddress.IPv4Address(0x0A000000 + offset))
    assert not address_allowed(address, ())
    assert address_allowed(address, parse_networks(["10.0.0.0/8"]))
