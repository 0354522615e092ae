"""ipsec-ops: health checks, safe debugs and peer-scoped clears for Cisco IPsec VPNs."""

__version__ = "0.1.0"
