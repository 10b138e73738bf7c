import Yams

/// Reads values out of a YAML tree while recording every problem with its key
/// path, so a config is checked completely in one pass. Each accessor returns
/// nil when the key is absent or its value is invalid (after recording why).
public final class ConfigReader {
    public init() {}

    public private(set) var issues: [ConfigIssue] = []

    public func report(_ path: String, _ node: Node?, _ message: String) {
        issues.append(ConfigIssue(path: path, line: node?.mark?.line, column: node?.mark?.column, message: message))
    }

    /// The mapping at `path`, after checking that it has only `allowed` keys.
    public func mapping(_ node: Node?, path: String, allowed: [String]) -> [String: Node]? {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            report(path, node, "\(describe(node)) is not allowed; expected a mapping with keys \(list(allowed))")
            return nil
        }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                report(path, key, "keys must be plain names; allowed keys: \(list(allowed))")
                continue
            }
            let name = scalar.string
            let keyPath = path.isEmpty ? name : "\(path).\(name)"
            if !allowed.contains(name) {
                let hint = closest(name, in: allowed).map { " (did you mean `\($0)`?)" } ?? ""
                report(keyPath, key, "unknown key\(hint); allowed keys\(path.isEmpty ? "" : " of `\(path)`"): \(list(allowed))")
            } else if result[name] != nil {
                report(keyPath, key, "appears more than once")
            } else {
                result[name] = value
            }
        }
        return result
    }

    public func string(_ node: Node?, path: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            report(path, node, "\(describe(node)) is not allowed; expected a non-empty string")
            return nil
        }
        return scalar.string
    }

    public func choice<T: RawRepresentable & CaseIterable>(_ node: Node?, path: String, as: T.Type) -> T?
    where T.RawValue == String {
        guard let node else { return nil }
        let allowed = T.allCases.map(\.rawValue)
        guard case .scalar(let scalar) = node, let value = T(rawValue: scalar.string) else {
            report(path, node, "\(describe(node)) is not allowed; expected one of \(list(allowed))")
            return nil
        }
        return value
    }

    /// A finite number within `range`; `rangeText` says the range in words.
    /// Only decimal notation is a number (`12`, `-0.5`, `1.0e-3`): not hex,
    /// not digit separators, not a scalar tagged as a string (`!!str 4`).
    public func number(_ node: Node?, path: String, where isAllowed: (Double) -> Bool, _ rangeText: String) -> Double? {
        guard let node else { return nil }
        guard let text = plainScalar(node, matching: Self.decimal), let value = Double(text), value.isFinite else {
            report(path, node, "\(describe(node)) is not allowed; expected a finite decimal number \(rangeText)")
            return nil
        }
        guard isAllowed(value) else {
            report(path, node, "\(text) is out of range; expected a number \(rangeText)")
            return nil
        }
        return value
    }

    /// An integer in `range`, in decimal digits.
    public func integer(_ node: Node?, path: String, in range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        let text = "\(range.lowerBound) to \(range.upperBound)"
        guard let digits = plainScalar(node, matching: Self.decimalInteger), let value = Int(digits) else {
            report(path, node, "\(describe(node)) is not allowed; expected an integer from \(text)")
            return nil
        }
        guard range.contains(value) else {
            report(path, node, "\(value) is out of range; expected an integer from \(text)")
            return nil
        }
        return value
    }

    /// The text of a plain, untagged scalar that `isValid` accepts.
    private func plainScalar(_ node: Node, matching isValid: (Substring) -> Bool) -> String? {
        guard case .scalar(let scalar) = node, scalar.style == .plain, scalar.tag.rawValue != Tag.Name.str.rawValue,
            isValid(Substring(scalar.string))
        else { return nil }
        return scalar.string
    }

    /// `-12`, `+3.5`, `.5`, `1e-3`, `2.0E+4`: sign, digits with at most one
    /// point (a digit on at least one side), an optional exponent.
    private static func decimal(_ text: Substring) -> Bool {
        var rest = text
        if let e = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard decimalInteger(rest[rest.index(after: e)...]) else { return false }
            rest = rest[..<e]
        }
        if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.contains(where: { !$0.isEmpty }) else { return false }
        return parts.allSatisfy { $0.allSatisfy(\.isASCIIDigit) }
    }

    /// `-12`, `+3`, `0042`: sign and decimal digits.
    private static func decimalInteger(_ text: Substring) -> Bool {
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : text
        return !digits.isEmpty && digits.allSatisfy(\.isASCIIDigit)
    }

    /// `true` or `false`; `alternatives` are the key's other (non-boolean) values, for the message.
    public func boolean(_ node: Node?, path: String, orAlso alternatives: [String] = []) -> Bool? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node, scalar.style == .plain, scalar.tag.rawValue != Tag.Name.str.rawValue,
            ["true", "false"].contains(scalar.string)
        else {
            let expected = alternatives.isEmpty ? "true or false" : "true, false or " + alternatives.joined(separator: ", ")
            report(path, node, "\(describe(node)) is not allowed; expected \(expected)")
            return nil
        }
        return scalar.string == "true"
    }

    public func sequence(_ node: Node?, path: String, expected: String) -> [Node]? {
        guard let node else { return nil }
        guard case .sequence(let sequence) = node else {
            report(path, node, "\(describe(node)) is not allowed; expected \(expected)")
            return nil
        }
        return Array(sequence)
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return s.string.isEmpty ? "an empty value" : "`\(s.string.prefix(60))`"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private func list(_ names: [String]) -> String { names.joined(separator: ", ") }

    /// The allowed name within edit distance 2 of `name`, if any: a typo's likely intent.
    private func closest(_ name: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(Array(name), Array($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return best.0
    }

    private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
