import SimulationCLI

NQFT.mainWithProjectExitCodes()
