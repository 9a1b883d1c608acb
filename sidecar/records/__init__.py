"""What the program keeps about its clients and its area: client records (encrypted field
by field, with a blind identity index), their code words, the locale directory (whom to
call for an address), who is on call, and the admin routes that edit them.

May import: ``sidecar.infra``, ``sidecar.clinical``, ``contracts``.
"""
