import WALCore

/// The fixed texts of record lines — `rmgr: Heap        len (rec/tot): ` for each built-in
/// resource manager, and every record type name of every version — laid out once in one
/// block of memory, so that writing them per record costs no lookup and no reference counting.
final class LineTexts: @unchecked Sendable {
  static let shared = LineTexts()

  /// Where a text lies in `storage`; an empty span for none.
  private struct Span {
    var offset: UInt32
    var count: UInt32
  }

  private let storage: UnsafeMutableBufferPointer<UInt8>
  private let prefixes: UnsafeMutableBufferPointer<Span>
  private let typeNames: UnsafeMutableBufferPointer<Span>
  private static let codes = 16

  private init() {
    var bytes: [UInt8] = []
    func span(_ text: String) -> Span {
      defer { bytes += Array(text.utf8) }
      return Span(offset: UInt32(bytes.count), count: UInt32(text.utf8.count))
    }
    let managers = ResourceManager.builtIn
    let prefixList = managers.map { manager in
      span("rmgr: " + manager.name + String(repeating: " ", count: max(0, 11 - manager.name.utf8.count)) + " len (rec/tot): ")
    }
    var names: [Span] = []
    for version in WALVersion.supported {
      for id in managers.indices {
        for code in 0..<Self.codes {
          let name = Self.usesWholeInfo(UInt8(id)) ? nil
            : RecordTypeNames.name(resourceManager: UInt8(id), info: UInt8(code << 4), version: version)
          names.append(name.map(span) ?? Span(offset: 0, count: 0))
        }
      }
    }
    storage = .allocate(capacity: bytes.count)
    _ = storage.initialize(from: bytes)
    prefixes = .allocate(capacity: prefixList.count)
    _ = prefixes.initialize(from: prefixList)
    typeNames = .allocate(capacity: names.count)
    _ = typeNames.initialize(from: names)
  }

  /// Resource managers whose record type is told by more than the high bits of `xl_info`
  /// (and Generic, which has one name): left to ``RecordTypeNames``.
  private static func usesWholeInfo(_ id: UInt8) -> Bool { id == 18 || id == 19 || id == 20 }

  private func append(_ span: Span, to bytes: TextBuffer) {
    bytes.append(UnsafeRawBufferPointer(start: storage.baseAddress! + Int(span.offset), count: Int(span.count)))
  }

  /// Appends `rmgr: <name padded to 11> len (rec/tot): `.
  func appendPrefix(resourceManager id: UInt8, to bytes: TextBuffer) {
    if Int(id) < prefixes.count {
      append(prefixes[Int(id)], to: bytes)
    } else {
      let name = ResourceManager(id: id).name
      bytes.append("rmgr: " + name + String(repeating: " ", count: max(0, 11 - name.utf8.count)) + " len (rec/tot): ")
    }
  }

  /// Appends the record type name; false (nothing appended) when the table does not hold it.
  func appendTypeName(resourceManager id: UInt8, info: UInt8, version: WALVersion, to bytes: TextBuffer) -> Bool {
    guard Int(id) < prefixes.count, !Self.usesWholeInfo(id) else { return false }
    let code = id == 1 ? info & 0x70 : info & 0xF0
    let index = ((version.major - WALVersion.supported[0].major) * prefixes.count + Int(id)) * Self.codes + Int(code >> 4)
    guard index >= 0, index < typeNames.count, typeNames[index].count > 0 else { return false }
    append(typeNames[index], to: bytes)
    return true
  }
}
