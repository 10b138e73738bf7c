import CKernels
import SimulationCLI

nqft_keep_freed_memory()
NQFT.mainWithProjectExitCodes()
