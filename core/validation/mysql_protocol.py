"""MariaDB/MySQL's binary-protocol prepare: the server reads a text as one statement and runs nothing.

The text travels alone as the payload of COM_STMT_PREPARE (never pasted into another statement, never
sent with COM_QUERY), the whole reply is read, and the statement is closed again with COM_STMT_CLOSE:
it is never executed. A text holding a second statement is refused by the server (1064).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import pymysql
from pymysql.constants import CLIENT, COMMAND
from pymysql.protocol import FieldDescriptorPacket


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the server said to COM_STMT_PREPARE."""

    ok: bool
    columns: tuple[str, ...] = ()
    """The result columns' names (the server names an expression by its text)."""
    params: int = 0
    error: pymysql.MySQLError | None = None
    """The server's refusal (an ERR packet, read whole: the connection stays in step)."""

    @property
    def code(self) -> int | None:
        return self.error.args[0] if self.error is not None and self.error.args else None

    @property
    def message(self) -> str:
        if self.error is None:
            return ""
        return str(self.error.args[1]) if len(self.error.args) > 1 else str(self.error)


class OutOfStep(RuntimeError):
    """The reply did not follow the protocol: the connection must not be used again."""


def protocol_problem(conn: pymysql.connections.Connection) -> str | None:
    """Why the packet reading below cannot be used on this connection (None: it can)."""
    if conn.client_flag & CLIENT.MULTI_STATEMENTS:
        return "it enables multi-statements (client_flag in its URL)"
    if conn.client_flag & CLIENT.DEPRECATE_EOF:
        return "it uses CLIENT_DEPRECATE_EOF, whose replies the check cannot read"
    return None


def prepare(conn: pymysql.connections.Connection, payload: bytes) -> Prepared:
    """COM_STMT_PREPARE ``payload``, read the whole reply, COM_STMT_CLOSE it. Never executed.

    Raises:
        pymysql.MySQLError: the connection failed (``conn.open`` is then false).
        OutOfStep: the reply did not follow the protocol (the connection is closed).
    """
    conn._execute_command(COMMAND.COM_STMT_PREPARE, payload)
    try:
        first = conn._read_packet()  # an ERR packet is read whole, then raised
    except pymysql.MySQLError as exc:
        if not conn.open:
            raise
        return Prepared(False, error=exc)
    # COM_STMT_PREPARE_OK: 0x00, statement id (4), columns (2), params (2), filler (1), warnings (2);
    # then the parameter definitions and an EOF (if any), then the column definitions and an EOF (if any).
    if first.read_uint8() != 0:
        return _out_of_step(conn, "unexpected reply to COM_STMT_PREPARE")
    statement_id = first.read_uint32()
    num_columns = first.read_uint16()
    num_params = first.read_uint16()
    for _ in range(num_params):
        conn._read_packet()
    if num_params and not conn._read_packet().is_eof_packet():
        return _out_of_step(conn, "expected an EOF packet after the parameter definitions")
    names = [conn._read_packet(FieldDescriptorPacket).name for _ in range(num_columns)]
    if num_columns and not conn._read_packet().is_eof_packet():
        return _out_of_step(conn, "expected an EOF packet after the column definitions")
    conn._execute_command(COMMAND.COM_STMT_CLOSE, struct.pack("<I", statement_id))  # no reply
    return Prepared(True, columns=tuple(names), params=num_params)


def _out_of_step(conn: pymysql.connections.Connection, what: str) -> Prepared:
    conn._force_close()
    raise OutOfStep(what)
