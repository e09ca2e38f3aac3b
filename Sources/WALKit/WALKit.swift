@_exported import WALCore
@_exported import WALDescriptions
@_exported import WALIO
@_exported import WALReader
@_exported import WALRecovery
