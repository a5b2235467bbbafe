"""The auditor's workspace: ``checkengine serve`` (docs/serve.md)."""
