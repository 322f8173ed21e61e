from search.cli import cli

cli(prog_name="newsdex")
