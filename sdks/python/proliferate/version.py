SDK_NAME = "proliferate.python"
VERSION = "0.1.0"
