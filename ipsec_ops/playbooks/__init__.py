"""Playbooks: a team's procedure as a YAML file, checked whole, then run step by step.

:mod:`schema` (with :mod:`fields` and :mod:`variables`) turns the file into the
dataclasses of :mod:`spec`; :mod:`runner` runs them with :mod:`steps` and
:mod:`actions`, logs each step and writes the :mod:`record`. See docs/playbooks.md.
"""

from ipsec_ops.playbooks.schema import load_playbook

__all__ = ["load_playbook"]
