"""Reference data: Centers, ports, HTS rules, and the resolver of a line's Center."""
