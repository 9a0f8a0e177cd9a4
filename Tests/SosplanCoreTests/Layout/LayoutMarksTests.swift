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
}
