"""``python -m tests.support.unanswering_broker BUS_ADDRESS``: a Linux identity broker that
takes every call and answers none. It owns the broker's D-Bus name (com.microsoft.identity.
broker1) on the given bus and answers only org.freedesktop.DBus.Peer.Ping, which is all
pymsalruntime asks at start-up (measured: with the name owned and Ping unanswered its start-up
gives up after ~5 s; with Ping answered msal.broker imports, and the first real call,
getAccounts, waits for ever). Prints "ready" once the name is owned, then each call it sat on."""

from __future__ import annotations

import sys

from jeepney import new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import HeaderFields, MessageType

NAME = "com.microsoft.identity.broker1"


def main(address: str) -> None:
    connection = open_dbus_connection(bus=address)
    connection.send_and_get_reply(message_bus.RequestName(NAME))
    print("ready", flush=True)
    while True:
        message = connection.receive()
        if message.header.message_type != MessageType.method_call:
            continue
        member = message.header.fields.get(HeaderFields.member)
        if member == "Ping":
            connection.send(new_method_return(message))
        else:
            print(f"unanswered {member}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
