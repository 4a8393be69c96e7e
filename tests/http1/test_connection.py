"""The Connection state machine: a client and a server talking through it, cycle by cycle."""
from __future__ import annotations

import pytest

from aioteach.http1 import (
    END_OF_MESSAGE, NEED_DATA, PAUSED, TRANSITIONS, Connection, ConnectionClosed, Data,
    EndOfMessage, InformationalResponse, LocalProtocolError, RemoteProtocolError, Request,
    Response,
)
from aioteach.http1.connection import (
    CLIENT, DONE, IDLE, MUST_CLOSE, SEND_BODY, SEND_RESPONSE, SERVER, SWITCHED_PROTOCOL,
)


def drain(conn):
    """Every event the connection can give now, up to NEED_DATA or PAUSED."""
    events = []
    while True:
        event = conn.next_event()
        if event is NEED_DATA or event is PAUSED:
            return events, event
        events.append(event)
        if isinstance(event, ConnectionClosed):
            return events, None


def test_full_cycle_then_keep_alive_second_cycle():
    client, server = Connection("client"), Connection("server")
    for cycle in (1, 2):
        wire = client.send(Request("POST", f"/{cycle}", (("Host", "h"),), content_length=5))
        assert client.states == {CLIENT: SEND_BODY, SERVER: SEND_RESPONSE}
        wire += client.send(Data(b"hel")) + client.send(Data(b"lo"))
        wire += client.send(END_OF_MESSAGE)
        assert client.our_state == DONE
        server.receive_data(wire)
        events, stop = drain(server)
        assert stop is PAUSED
        assert [type(e).__name__ for e in events] == ["Request", "Data", "EndOfMessage"]
        assert events[0].target == f"/{cycle}" and events[0].content_length == 5
        assert server.states == {CLIENT: DONE, SERVER: SEND_RESPONSE}

        reply = server.send(Response(200, headers=(("Server", "t"),), chunked=True))
        reply += server.send(Data(b"ok")) + server.send(Data(b""))
        reply += server.send(EndOfMessage((("X-Check", "1"),)))
        assert b"Transfer-Encoding: chunked" in reply and reply.endswith(b"0\r\nX-Check: 1\r\n\r\n")
        client.receive_data(reply)
        events, stop = drain(client)
        assert [type(e).__name__ for e in events] == ["Response", "Data", "EndOfMessage"]
        assert events[0].reason == "OK" and events[2].trailers == (("X-Check", "1"),)
        for conn in (client, server):
            assert conn.states == {CLIENT: DONE, SERVER: DONE}
            conn.start_next_cycle()
            assert conn.states == {CLIENT: IDLE, SERVER: IDLE}


def test_connection_close_leads_to_must_close_and_closed():
    client, server = Connection("client"), Connection("server")
    server.receive_data(client.send(Request("GET", "/", (("Host", "h"),), keep_alive=False))
                        + client.send(END_OF_MESSAGE))
    events, _ = drain(server)
    assert events[0].keep_alive is False
    reply = server.send(Response(200, content_length=0)) + server.send(END_OF_MESSAGE)
    assert b"Connection: close" in reply
    assert server.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}
    with pytest.raises(LocalProtocolError):
        server.start_next_cycle()
    server.receive_data(b"")
    assert server.next_event() == ConnectionClosed()
    assert server.their_state == "CLOSED"


def test_until_close_response_and_100_continue():
    client, server = Connection("client"), Connection("server")
    server.receive_data(client.send(Request("PUT", "/", (("Host", "h"), ("Expect", "100-continue")),
                                            content_length=1)))
    (request,), stop = drain(server)
    assert request.expect_continue and stop is NEED_DATA
    client.receive_data(server.send(InformationalResponse(100)))
    assert drain(client) == ([InformationalResponse(100, "Continue")], NEED_DATA)
    server.receive_data(client.send(Data(b"x")) + client.send(END_OF_MESSAGE))
    assert drain(server)[0] == [Data(b"x"), END_OF_MESSAGE]
    reply = server.send(Response(200)) + server.send(Data(b"stream")) + server.send(END_OF_MESSAGE)
    assert server.our_state == MUST_CLOSE
    client.receive_data(reply)
    client.receive_data(b"")
    events, _ = drain(client)
    assert [type(e).__name__ for e in events] == ["Response", "Data", "EndOfMessage",
                                                  "ConnectionClosed"]


def test_upgrade_switches_both_sides_and_hands_over_bytes():
    client, server = Connection("client"), Connection("server")
    head = Request("GET", "/ws", (("Host", "h"), ("Connection", "Upgrade"),
                                  ("Upgrade", "websocket")))
    server.receive_data(client.send(head) + client.send(END_OF_MESSAGE) + b"\x81\x00")
    (request, _), stop = drain(server)
    assert request.upgrade == "websocket" and stop is PAUSED
    reply = server.send(InformationalResponse(101, headers=(("Upgrade", "websocket"),)))
    assert server.states == {CLIENT: SWITCHED_PROTOCOL, SERVER: SWITCHED_PROTOCOL}
    assert server.take_trailing() == b"\x81\x00"
    client.receive_data(reply + b"\x82\x00")
    assert drain(client)[1] is PAUSED
    assert client.states == {CLIENT: SWITCHED_PROTOCOL, SERVER: SWITCHED_PROTOCOL}
    assert client.take_trailing() == b"\x82\x00"


def test_refused_upgrade_goes_on_with_http():
    server = Connection("server")
    server.receive_data(b"GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n"
                        b"GET /next HTTP/1.1\r\nHost: h\r\n\r\n")
    assert drain(server)[1] is PAUSED
    server.send(Response(426, content_length=0))
    server.send(END_OF_MESSAGE)
    server.start_next_cycle()
    (request, end), _ = drain(server)
    assert request.target == "/next"


def test_the_tables_refuse_out_of_turn_events():
    server = Connection("server")
    with pytest.raises(LocalProtocolError, match="SEND_RESPONSE|IDLE"):
        server.send(Response(200, content_length=0))     # nobody asked yet
    client = Connection("client")
    client.send(Request("GET", "/", (("Host", "h"),)))
    with pytest.raises(LocalProtocolError):
        client.send(Data(b"no body was announced"))
    server = Connection("server")
    server.receive_data(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    drain(server)
    with pytest.raises(LocalProtocolError, match="Switch"):
        server.send(InformationalResponse(101))          # the client did not ask to switch
    server = Connection("server")
    server.receive_data(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    drain(server)
    server.send(Response(200, content_length=3))
    with pytest.raises(LocalProtocolError, match="short"):
        server.send(END_OF_MESSAGE)


def test_peer_errors_put_their_side_in_error():
    server = Connection("server")
    with pytest.raises(RemoteProtocolError):
        server.receive_data(b"GET / HTTP/1.1\r\n\r\n")          # no Host
    assert server.their_state == "ERROR"
    with pytest.raises(RemoteProtocolError):
        server.next_event()


def test_transitions_table_is_printable_data():
    assert TRANSITIONS[("client", "IDLE", "Request")] == "SEND_BODY"
    assert all(isinstance(part, str) for key in TRANSITIONS for part in key)


def test_states_and_rules_docstring_examples_run():
    import doctest

    from aioteach.http1 import rules, states
    for module in (states, rules):
        failed, attempted = doctest.testmod(module)
        assert failed == 0 and attempted > 0


def test_connection_state_is_the_tables_bookkeeper():
    from aioteach.http1.states import ConnectionState
    state = ConnectionState(SERVER)
    with pytest.raises(RemoteProtocolError, match="TRANSITIONS"):
        state.process_event(CLIENT, "EndOfMessage")          # the peer, out of turn
    state = ConnectionState(SERVER)
    with pytest.raises(LocalProtocolError):
        state.process_event(SERVER, "Response")              # we, before any request
    state = ConnectionState(SERVER)
    state.process_event(CLIENT, "Request")
    state.process_event(CLIENT, "EndOfMessage")
    state.process_keep_alive_disabled()
    assert state.states == {CLIENT: MUST_CLOSE, SERVER: SEND_RESPONSE}
    state.process_event(SERVER, "Response")
    state.process_event(SERVER, "EndOfMessage")
    assert state.states == {CLIENT: MUST_CLOSE, SERVER: MUST_CLOSE}
    assert not state.cycle_done


def test_rules_framing_table():
    from aioteach.http1.rules import (
        CHUNKED, LENGTH, NO_BODY, UNTIL_CLOSE, request_framing, response_framing,
        response_keeps_alive,
    )
    assert response_framing("GET", 200, "1.1", 5, False) == LENGTH
    assert response_framing("GET", 200, "1.1", None, False) == CHUNKED
    assert response_framing("GET", 200, "1.1", 5, True) == CHUNKED
    assert response_framing("GET", 200, "1.0", None, False) == UNTIL_CLOSE
    for method, status in (("HEAD", 200), ("GET", 204), ("GET", 304), ("GET", 101),
                           ("CONNECT", 200)):
        assert response_framing(method, status, "1.1", 5, False) == NO_BODY
    assert request_framing("GET", 0, False) == NO_BODY
    assert request_framing("POST", 0, False) == LENGTH
    assert request_framing("PUT", None, False) == CHUNKED
    assert response_keeps_alive(True, UNTIL_CLOSE, False) is False
    assert response_keeps_alive(True, LENGTH, True) is False
    assert response_keeps_alive(True, LENGTH, False) is True


def test_process_events_with_a_callers_own_sequence_is_never_answered_from_another_sequences_cache():
    # The cache is keyed by identity; a caller's tuple that dies can leave its id to a new one
    # with other moves, which must not inherit the dead one's cached answer.
    from aioteach.http1.states import CLIENT, SERVER, ConnectionState
    expected = {"EndOfMessage": {"client": "DONE", "server": "SEND_RESPONSE"},
                "Response": {"client": "SEND_BODY", "server": "SEND_BODY"}}
    for i in range(400):
        second = "EndOfMessage" if i % 2 else "Response"
        role = CLIENT if second == "EndOfMessage" else SERVER
        moves = tuple([(CLIENT, "Request"), (role, second)])     # a new tuple each time
        state = ConnectionState(SERVER)
        state.process_events(moves)
        del moves                                                  # its id is free again
        assert state.states == expected[second]
