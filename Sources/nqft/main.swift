import SimulationCLI

NQFT.main()
