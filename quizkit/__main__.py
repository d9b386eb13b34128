"""python -m quizkit: the same program as the quizkit command."""

from quizkit.cli import main

main()
