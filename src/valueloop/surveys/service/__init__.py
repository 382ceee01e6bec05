"""Survey use cases: the catalogue, invitations and their delivery, answers, and follow-up cases."""
