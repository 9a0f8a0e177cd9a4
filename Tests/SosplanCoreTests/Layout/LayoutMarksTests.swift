import SosplanCore
import Testing

/// Every decoded object keeps the marks of its fields, so planning problems
/// can point at the line the user wrote.
@Suite struct LayoutMarksTests {
    static let text = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata:
          name: marks
        spec:
          host:
            cpus: 2
          hugepages:
            - {size: 2Mi, count: 8}
          enclaves:
            - name: lwk
              driver: pisces
              cpus: {count: 8, numa: 1}
              memory:
                - {size: 4Gi, numa: 0}
                - {size: 4Gi, numa: 1}
          services:
            - name: web
              units: [nginx.service, php-fpm.service]
              exec: ["/usr/bin/true"]
              cpus:
                count: 4
              memory: {max: 1Gi}

        """

    @Test func objectsAndFieldsAreMarked() throws {
        let layout = try #require(LayoutDecoder.decode(Self.text, file: "m.yaml").layout)
        let web = layout.services[0]
        #expect(web.marks.object == SourceMark(line: 18, column: 7))
        #expect(web.marks["name"] == SourceMark(line: 18, column: 13))
        #expect(web.marks["units[1]"] == SourceMark(line: 19, column: 30))
        #expect(web.marks["exec"] == SourceMark(line: 20, column: 7), "a list is marked at its key")
        #expect(web.marks["exec[0]"] == SourceMark(line: 20, column: 14))
        #expect(web.marks["cpus"] == SourceMark(line: 21, column: 7))
        #expect(web.marks["cpus.count"] == SourceMark(line: 22, column: 16))
        #expect(web.marks["memory.max"] == SourceMark(line: 23, column: 21))
        #expect(web.marks["memory.high"] == SourceMark(line: 23, column: 7), "an absent field falls back to its parent")

        let lwk = layout.enclaves[0]
        #expect(lwk.marks["memory[1].size"] == SourceMark(line: 16, column: 18))
        #expect(lwk.marks["cpus.numa"] == SourceMark(line: 13, column: 30))
        #expect(layout.hugepages[0].marks["count"] == SourceMark(line: 9, column: 26))
        #expect(layout.host.marks["cpus"] == SourceMark(line: 7, column: 11))
        #expect(layout.metadata.marks["name"] == SourceMark(line: 4, column: 9))
        #expect(layout.marks["spec.services"] == SourceMark(line: 17, column: 3))
        #expect(layout.marks["kind"] == SourceMark(line: 2, column: 1))
    }

    /// Marks are found in the object's YAML node on demand; what a lookup
    /// finds must be what the full table (`byField`) says, and a path the
    /// table lacks falls back to its nearest parent in the table.
    @Test func lookupsAgreeWithTheTableOfEveryField() throws {
        let layout = try #require(LayoutDecoder.decode(Self.text, file: "m.yaml").layout)
        let objects = layout.services.map(\.marks) + layout.enclaves.map(\.marks)
            + layout.hugepages.map(\.marks) + [layout.host.marks, layout.metadata.marks, layout.policy.marks]
        for marks in objects {
            let table = marks.byField
            for (field, mark) in table { #expect(marks[field] == mark, "\(field)") }
            #expect(marks.object == table[""])
        }
        let web = layout.services[0], table = web.marks.byField
        #expect(table.count == 11, "\(table.keys.sorted())")
        for absent in ["units[2]", "units[01]", "units[-1]", "units[]", "units.x", "cpus[0]", "cpus.count.x", "nam", "names", "memory.max[0]"] {
            var parent = absent
            while table[parent] == nil, let cut = parent.lastIndex(where: { $0 == "." || $0 == "[" }) {
                parent = String(parent[..<cut])
            }
            #expect(web.marks[absent] == (table[parent] ?? table[""]), "\(absent)")
        }
        // Equality and hashing see the marks, not how they are kept.
        #expect(web.marks == SourceMarks(table))
        #expect(Set([web.marks, SourceMarks(table)]).count == 1)
    }
}
