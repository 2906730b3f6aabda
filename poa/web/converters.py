"""Path converters: a quarter is 1, 2, 3 or 4 in every address, so no view checks it."""


class QuarterConverter:
    regex = "[1-4]"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
