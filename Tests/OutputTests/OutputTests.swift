import Foundation
import Output
import Testing

@Suite struct OutputTests {
    @Test func csvFollowsRFC4180() {
        var table = CSVTable(header: ["name", "value"])
        table.append([.text("a,b"), .number(0.1)])
        table.append([.text("say \"hi\""), .integer(-3)])
        #expect(table.text == "name,value\n\"a,b\",0.1\n\"say \"\"hi\"\"\",-3\n")
    }

    @Test func numbersKeepFullPrecision() {
        var table = CSVTable(header: ["x"])
        let x = 1.0 / 3.0
        table.append([.number(x)])
        #expect(Double(table.text.split(separator: "\n")[1]) == x)
    }

    @Test func atomicWriteReplacesAndLeavesNoTemporaryFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nqft-out-\(UUID().uuidString)")
        let url = directory.appendingPathComponent("a.csv")
        try AtomicFile.write("first\n", to: url)
        try AtomicFile.write("second\n", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "second\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["a.csv"])
    }

    @Test func jsonRefusesNonFiniteNumbers() {
        #expect(throws: (any Error).self) { try JSONOutput.encode(["energy": Double.nan]) }
        #expect(throws: Never.self) { try JSONOutput.encode(["energy": 1.5]) }
    }
}
