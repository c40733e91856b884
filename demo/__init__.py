"""A generated, believable English local authority for demos, tests and benchmarks (`casework seed`).

The top of the layers: the generator (`demo.generator`), the children's journeys (`demo.journeys`) and the demo
users (`demo.users`) use the other apps' public services; no other app imports `demo`."""
