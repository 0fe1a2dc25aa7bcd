"""Which network addresses a project's model server may live at. Pure: no Django, no sockets.

A manager types the model server's URL, but the request is sent by the workbench from inside
its own network. Left unchecked, that URL could reach what only the workbench can reach: the
cloud metadata service (169.254.169.254), the database's host, an admin port on localhost.
So a model server may be at a public (globally routable) address, or inside one of the
networks the operator lists in EXTERNAL_MODEL_NETWORKS (e.g. `10.0.0.0/8`, `127.0.0.1/32`);
everything else (loopback, private, link-local, shared, reserved, multicast, unspecified) is
refused. IPv4 addresses written as IPv6 (`::ffff:127.0.0.1`, NAT64 aside) are judged as the
IPv4 address they carry.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressListError(ValueError):
    """A value of EXTERNAL_MODEL_NETWORKS that is not a network."""


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Networks from strings like `10.0.0.0/8`, `127.0.0.1` or `fd00::/8`; AddressListError."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise AddressListError(
                f"{value!r} is not a network (write e.g. 10.0.0.0/8 or 127.0.0.1)"
            ) from None
    return tuple(networks)


def plain_address(text: str) -> Address:
    """The address in `text`, IPv4-mapped IPv6 turned into the IPv4 address it carries.

    Raises ValueError if `text` is not an IP address. A zone (`fe80::1%eth0`) is dropped.
    """
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_allowed(text: str, networks: Sequence[Network]) -> bool:
    """True if a model server may be at this address: a listed network, or a public address."""
    try:
        address = plain_address(text)
    except ValueError:
        return False
    if any(address.version == network.version and address in network for network in networks):
        return True
    return address.is_global and not address.is_multicast


def refusal(host: str, address: str) -> str:
    """Why a connection to `host` at `address` is refused, for the error message."""
    shown = host if host == address else f"{host} ({address})"
    return (
        f"{shown} is not a public address; a model server inside your network must be "
        "in a network listed in EXTERNAL_MODEL_NETWORKS"
    )
