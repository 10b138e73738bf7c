/// One problem in a config file: where it is (a key path such as
/// `optimizer.learning_rate`, and the line and column when known), the offending
/// value, and what is allowed.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(path: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        let location = line.map { " (line \($0), column \(column ?? 1))" } ?? ""
        return "\(path.isEmpty ? "<top level>" : path)\(location): \(message)"
    }
}

/// A config that cannot be run, with every problem found in it.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var issues: [ConfigIssue]

    public init(file: String, issues: [ConfigIssue]) {
        self.file = file
        self.issues = issues
    }

    public var description: String {
        let header = issues.count == 1 ? "invalid config \(file):" : "invalid config \(file) (\(issues.count) problems):"
        return ([header] + issues.map { "  \($0)" }).joined(separator: "\n")
    }
}
