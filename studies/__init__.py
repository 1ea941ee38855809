"""The paper studies: run harness, decision rules and their statistics."""
