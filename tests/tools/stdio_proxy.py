"""A ProxyCommand for tests: relays stdin/stdout to HOST PORT (loopback only), like `nc`."""

import ipaddress
import socket
import sys
import threading


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit("stdio_proxy: loopback addresses only")
    sock = socket.create_connection((host, port))

    def upstream() -> None:
        while data := sys.stdin.buffer.read1(65536):
            sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)

    threading.Thread(target=upstream, daemon=True).start()
    while data := sock.recv(65536):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
