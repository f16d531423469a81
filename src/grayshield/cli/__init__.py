"""The command-line shell: ``grayshield NOUN VERB``, one module per noun, thin over the engines."""
