"""The rules layer of the children's journey: code sets, every statutory and local timescale, and validators that
take values and return field errors. Pure: no ORM, no services, no database (an import-linter contract holds it to
that). Services, selectors, journey steps, returns, dashboards and the demo import rules; rules import only core
and the standard library (and `people.validators` for postcodes)."""
