import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import type { Codec } from "../../src/PgCodec.ts"
import * as PgGeometry from "../../src/PgGeometry.ts"
import { Oid } from "../../src/PgOid.ts"
import { box, circle, codecs, formatFloat8, line, lseg, path, point, polygon } from "../../src/internal/types/geometric.ts"
import { decodeHex, encodeHex, onlyCodecErrors, throwsCodecError } from "./helpers.ts"

/** Deep equality where numbers compare with Object.is (NaN equals NaN, -0 differs from 0). */
const same = (a: unknown, b: unknown): boolean => {
  if (typeof a === "number" || typeof b === "number") return Object.is(a, b)
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a === b
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length &&
    ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

const assertSame = (actual: unknown, expected: unknown, message?: string): void => {
  if (!same(actual, expected)) {
    assert.fail(`${message ?? ""}: ${JSON.stringify(actual)} !== ${JSON.stringify(expected)}`)
  }
}

/**
 * Server goldens `[literal, text, hex]`: `hex` is `encode(<type>_send('<literal>'::<type>), 'hex')`
 * and `text` the type's output. The bytes must decode to the value the text describes, the value
 * must print as the server's text and encode back to the server's bytes.
 */
const goldens = <A>(c: Codec<A>, rows: ReadonlyArray<readonly [string, string, string]>): void => {
  for (const [, text, hex] of rows) {
    const value = decodeHex(c, hex)
    assert.strictEqual(c.encodeText(value), text, `${c.name} text of ${hex}`)
    assertSame(c.decodeText(text), value, `${c.name} decodeText ${text}`)
    assert.strictEqual(encodeHex(c, value), hex, `${c.name} encode ${text}`)
  }
}

const { point: pt } = PgGeometry

describe("formatFloat8", () => {
  it("prints like float8out with extra_float_digits = 1", () => {
    // select '<v>'::float8
    const cases: ReadonlyArray<readonly [number, string]> = [
      [0.1, "0.1"],
      [1e20, "1e+20"],
      [1e15, "1e+15"],
      [1e14, "100000000000000"],
      [123456789012345.6, "123456789012345.6"],
      [1e-4, "0.0001"],
      [1e-5, "1e-05"],
      [0.00012345, "0.00012345"],
      [9.999999999999999e-5, "9.999999999999999e-05"],
      [-0, "-0"],
      [0, "0"],
      [NaN, "NaN"],
      [Infinity, "Infinity"],
      [-Infinity, "-Infinity"],
      [5e-324, "5e-324"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [2.2250738585072014e-308, "2.2250738585072014e-308"],
      [1.5e300, "1.5e+300"],
      [-2.5e-7, "-2.5e-07"],
      // PostgreSQL's shortest digits never sit on a rounding boundary; JavaScript's may.
      [1e23, "9.999999999999999e+22"],
      [2e23, "1.9999999999999998e+23"],
      [34337181877344848, "3.4337181877344848e+16"],
      [196204730309545984, "1.9620473030954598e+17"],
      [2 ** 53 + 2, "9.007199254740994e+15"],
      [1e22, "1e+22"]
    ]
    for (const [v, s] of cases) assert.strictEqual(formatFloat8(v), s, String(v))
  })

  it("always reads back to the same number", () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        const s = formatFloat8(v)
        assert.isTrue(Object.is(s === "NaN" ? NaN : Number(s), v), s)
      }),
      { numRuns: 5000 }
    )
  })
})

describe("point", () => {
  it("matches server goldens", () => {
    // select encode(point_send('<literal>'::point), 'hex'), point_out('<literal>'::point)
    goldens(point, [
      ["(1,2)", "(1,2)", "3ff00000000000004000000000000000"],
      ["(0.1,1e20)", "(0.1,1e+20)", "3fb999999999999a4415af1d78b58c40"],
      ["(-0,NaN)", "(-0,NaN)", "80000000000000007ff8000000000000"],
      ["(Infinity,-Infinity)", "(Infinity,-Infinity)", "7ff0000000000000fff0000000000000"],
      ["(1e15,1e14)", "(1e+15,100000000000000)", "430c6bf52634000042d6bcc41e900000"],
      ["(1e-5,0.0001)", "(1e-05,0.0001)", "3ee4f8b588e368f13f1a36e2eb1c432d"],
      ["(5e-324,1.7976931348623157e308)", "(5e-324,1.7976931348623157e+308)", "00000000000000017fefffffffffffff"],
      ["(1e23,-2.5e-7)", "(9.999999999999999e+22,-2.5e-07)", "44b52d02c7e14af6be90c6f7a0b5ed8d"]
    ])
    assertSame(decodeHex(point, "3ff00000000000004000000000000000"), pt(1, 2))
  })

  it("reads the input spellings the server accepts", () => {
    // select '<text>'::point
    assertSame(point.decodeText(" ( 1e0 , +2 ) "), pt(1, 2))
    assertSame(point.decodeText("1,2"), pt(1, 2))
    assertSame(point.decodeText("(inf,-INFINITY)"), pt(Infinity, -Infinity))
    assertSame(point.decodeText("(nan,-0)"), pt(NaN, -0))
  })
})

describe("line", () => {
  it("matches server goldens", () => {
    // select encode(line_send('<literal>'::line), 'hex'), line_out('<literal>'::line)
    goldens(line, [
      ["{1,2,3}", "{1,2,3}", "3ff000000000000040000000000000004008000000000000"],
      ["{0,-1,NaN}", "{0,-1,NaN}", "0000000000000000bff00000000000007ff8000000000000"],
      ["{1.5,-0,1e100}", "{1.5,-0,1e+100}", "3ff8000000000000800000000000000054b249ad2594c37d"],
      ["[(0,0),(1,1)]", "{1,-1,0}", "3ff0000000000000bff00000000000000000000000000000"]
    ])
    assertSame(decodeHex(line, "3ff000000000000040000000000000004008000000000000"), PgGeometry.line(1, 2, 3))
  })

  it("refuses a line whose a and b are both zero", () => {
    throwsCodecError(() => encodeHex(line, PgGeometry.line(0, 0, 1)), "line")
    throwsCodecError(() => line.encodeText(PgGeometry.line(0, -0, 1)), "line")
  })
})

describe("lseg", () => {
  it("matches server goldens", () => {
    // select encode(lseg_send('<literal>'::lseg), 'hex'), lseg_out('<literal>'::lseg)
    goldens(lseg, [
      ["[(1,2),(3,4)]", "[(1,2),(3,4)]", "3ff0000000000000400000000000000040080000000000004010000000000000"],
      [
        "((0.5,-0),(NaN,Infinity))",
        "[(0.5,-0),(NaN,Infinity)]",
        "3fe000000000000080000000000000007ff80000000000007ff0000000000000"
      ]
    ])
    assertSame(lseg.decodeText("[(1,2),(3,4)]"), PgGeometry.lineSegment(pt(1, 2), pt(3, 4)))
    assertSame(lseg.decodeText("(1,2),(3,4)"), PgGeometry.lineSegment(pt(1, 2), pt(3, 4)))
  })
})

describe("box", () => {
  it("matches server goldens (upper-right corner first)", () => {
    // select encode(box_send('<literal>'::box), 'hex'), box_out('<literal>'::box)
    goldens(box, [
      ["(1,2),(3,4)", "(3,4),(1,2)", "400800000000000040100000000000003ff00000000000004000000000000000"],
      ["(3,4),(1,2)", "(3,4),(1,2)", "400800000000000040100000000000003ff00000000000004000000000000000"],
      ["((-1,5),(2,-7))", "(2,5),(-1,-7)", "40000000000000004014000000000000bff0000000000000c01c000000000000"],
      ["(NaN,1),(2,Infinity)", "(NaN,Infinity),(2,1)", "7ff80000000000007ff000000000000040000000000000003ff0000000000000"]
    ])
    assertSame(decodeHex(box, "400800000000000040100000000000003ff00000000000004000000000000000"), {
      upperRight: pt(3, 4),
      lowerLeft: pt(1, 2)
    })
  })

  it("orders the corners of a box it encodes as the server does", () => {
    // box_send('(1,2),(3,4)'::box)
    const swapped: PgGeometry.Box = { upperRight: pt(1, 2), lowerLeft: pt(3, 4) }
    assert.strictEqual(encodeHex(box, swapped), "400800000000000040100000000000003ff00000000000004000000000000000")
    assert.strictEqual(box.encodeText(swapped), "(3,4),(1,2)")
    assertSame(PgGeometry.box(pt(-1, 5), pt(2, -7)), { upperRight: pt(2, 5), lowerLeft: pt(-1, -7) })
  })
})

describe("path", () => {
  it("matches server goldens, open and closed", () => {
    // select encode(path_send('<literal>'::path), 'hex'), path_out('<literal>'::path)
    goldens(path, [
      ["[(1,2),(3,4)]", "[(1,2),(3,4)]", "00000000023ff0000000000000400000000000000040080000000000004010000000000000"],
      ["((1,2),(3,4))", "((1,2),(3,4))", "01000000023ff0000000000000400000000000000040080000000000004010000000000000"],
      ["[(0,0)]", "[(0,0)]", "000000000100000000000000000000000000000000"],
      [
        "((1e-10,1e300),(-0,2),(3,NaN))",
        "((1e-10,1e+300),(-0,2),(3,NaN))",
        "01000000033ddb7cdfd9d7bdbb7e37e43c8800759c8000000000000000400000000000000040080000000000007ff8000000000000"
      ]
    ])
    assertSame(decodeHex(path, "00000000023ff0000000000000400000000000000040080000000000004010000000000000"), {
      closed: false,
      points: [pt(1, 2), pt(3, 4)]
    })
    // Like path_in, a path without brackets is closed.
    assertSame(path.decodeText("(1,2),(3,4)"), PgGeometry.path([pt(1, 2), pt(3, 4)], true))
  })

  it("refuses an empty path", () => {
    throwsCodecError(() => encodeHex(path, PgGeometry.path([])), "path")
    throwsCodecError(() => decodeHex(path, "0000000000"), "path")
  })
})

const POLYGON_50_HEX =
  "0000003200000000000000003fe00000000000003ff0000000000000be7ad7f29abcaf48400000000000000046393e59" +
  "39a08cea40080000000000003fe00000000000004010000000000000be7ad7f29abcaf48401400000000000046393e59" +
  "39a08cea40180000000000003fe0000000000000401c000000000000be7ad7f29abcaf48402000000000000046393e59" +
  "39a08cea40220000000000003fe00000000000004024000000000000be7ad7f29abcaf48402600000000000046393e59" +
  "39a08cea40280000000000003fe0000000000000402a000000000000be7ad7f29abcaf48402c00000000000046393e59" +
  "39a08cea402e0000000000003fe00000000000004030000000000000be7ad7f29abcaf48403100000000000046393e59" +
  "39a08cea40320000000000003fe00000000000004033000000000000be7ad7f29abcaf48403400000000000046393e59" +
  "39a08cea40350000000000003fe00000000000004036000000000000be7ad7f29abcaf48403700000000000046393e59" +
  "39a08cea40380000000000003fe00000000000004039000000000000be7ad7f29abcaf48403a00000000000046393e59" +
  "39a08cea403b0000000000003fe0000000000000403c000000000000be7ad7f29abcaf48403d00000000000046393e59" +
  "39a08cea403e0000000000003fe0000000000000403f000000000000be7ad7f29abcaf48404000000000000046393e59" +
  "39a08cea40408000000000003fe00000000000004041000000000000be7ad7f29abcaf48404180000000000046393e59" +
  "39a08cea40420000000000003fe00000000000004042800000000000be7ad7f29abcaf48404300000000000046393e59" +
  "39a08cea40438000000000003fe00000000000004044000000000000be7ad7f29abcaf48404480000000000046393e59" +
  "39a08cea40450000000000003fe00000000000004045800000000000be7ad7f29abcaf48404600000000000046393e59" +
  "39a08cea40468000000000003fe00000000000004047000000000000be7ad7f29abcaf48404780000000000046393e59" +
  "39a08cea40480000000000003fe00000000000004048800000000000be7ad7f29abcaf48"
const POLYGON_50_TEXT =
  "((0,0.5),(1,-1e-07),(2,2e+30),(3,0.5),(4,-1e-07),(5,2e+30),(6,0.5),(7,-1e-07),(8,2e+30),(9" +
  ",0.5),(10,-1e-07),(11,2e+30),(12,0.5),(13,-1e-07),(14,2e+30),(15,0.5),(16,-1e-07),(17,2e+3" +
  "0),(18,0.5),(19,-1e-07),(20,2e+30),(21,0.5),(22,-1e-07),(23,2e+30),(24,0.5),(25,-1e-07),(2" +
  "6,2e+30),(27,0.5),(28,-1e-07),(29,2e+30),(30,0.5),(31,-1e-07),(32,2e+30),(33,0.5),(34,-1e-" +
  "07),(35,2e+30),(36,0.5),(37,-1e-07),(38,2e+30),(39,0.5),(40,-1e-07),(41,2e+30),(42,0.5),(4" +
  "3,-1e-07),(44,2e+30),(45,0.5),(46,-1e-07),(47,2e+30),(48,0.5),(49,-1e-07))"

describe("polygon", () => {
  it("matches server goldens", () => {
    // select encode(poly_send('<literal>'::polygon), 'hex'), poly_out('<literal>'::polygon)
    goldens(polygon, [
      [
        "((1,2),(3,4),(5,6))",
        "((1,2),(3,4),(5,6))",
        "000000033ff000000000000040000000000000004008000000000000401000000000000040140000000000004018000000000000"
      ],
      ["((0,0))", "((0,0))", "0000000100000000000000000000000000000000"],
      // select poly_send(('(' || string_agg(format('(%s,%s)', i, (array['0.5','-1e-7','2e+30'])[i % 3 + 1]), ',') || ')')::polygon) from generate_series(0, 49) i
      ["(50 points)", POLYGON_50_TEXT, POLYGON_50_HEX]
    ])
    const p = decodeHex(polygon, POLYGON_50_HEX)
    assert.strictEqual(p.points.length, 50)
    assertSame(p.points[49], pt(49, -1e-7))
  })

  it("refuses an empty polygon", () => {
    throwsCodecError(() => encodeHex(polygon, PgGeometry.polygon([])), "polygon")
    throwsCodecError(() => decodeHex(polygon, "00000000"), "polygon")
  })
})

describe("circle", () => {
  it("matches server goldens", () => {
    // select encode(circle_send('<literal>'::circle), 'hex'), circle_out('<literal>'::circle)
    goldens(circle, [
      ["<(1,2),3>", "<(1,2),3>", "3ff000000000000040000000000000004008000000000000"],
      ["<(-0,NaN),0>", "<(-0,NaN),0>", "80000000000000007ff80000000000000000000000000000"],
      ["<(1e20,0.1),Infinity>", "<(1e+20,0.1),Infinity>", "4415af1d78b58c403fb999999999999a7ff0000000000000"]
    ])
    assertSame(circle.decodeText("((1,2),3)"), PgGeometry.circle(pt(1, 2), 3))
    assertSame(circle.decodeText("(1,2),3"), PgGeometry.circle(pt(1, 2), 3))
  })

  it("refuses a negative radius", () => {
    throwsCodecError(() => encodeHex(circle, PgGeometry.circle(pt(0, 0), -1)), "circle")
    throwsCodecError(() => circle.decodeText("<(1,2),-3>"), "circle")
  })
})

const coordinate = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 0.1, 1e20, 1e-5, 1e23, 5e-324)
)
const arbPoint = fc.record({ x: coordinate, y: coordinate })
const arbPoints = fc.array(arbPoint, { minLength: 1, maxLength: 20 })

/** Each codec with values it accepts. */
const arbitraries: ReadonlyArray<readonly [Codec<any>, fc.Arbitrary<unknown>]> = [
  [point, arbPoint],
  [
    line,
    fc.record({ a: coordinate, b: coordinate, c: coordinate }).filter((l) => !(l.a === 0 && l.b === 0))
  ],
  [lseg, fc.record({ start: arbPoint, end: arbPoint })],
  [box, fc.tuple(arbPoint, arbPoint).map(([a, b]) => PgGeometry.box(a, b))],
  [path, fc.record({ closed: fc.boolean(), points: arbPoints })],
  [polygon, fc.record({ points: arbPoints })],
  [circle, fc.record({ center: arbPoint, radius: coordinate.filter((r) => !(r < 0)) })]
]

describe("geometric properties", () => {
  it("binary and text encodings round-trip every value", () => {
    for (const [codec, arb] of arbitraries) {
      fc.assert(
        fc.property(arb, (v) => {
          assertSame(decodeHex(codec, encodeHex(codec, v)), v, `${codec.name} binary`)
          assertSame(codec.decodeText(codec.encodeText(v)), v, `${codec.name} text`)
        }),
        { numRuns: 500 }
      )
    }
  })

  it("decoding random bytes returns a value or throws a CodecError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (b) => {
        for (const c of codecs) {
          onlyCodecErrors(() => c.decodeBinary!(b, 0, b.length))
        }
      }),
      { numRuns: 2000 }
    )
  })

  it("rejects malformed bytes and text", () => {
    throwsCodecError(() => decodeHex(point, "3ff0000000000000"), "point")
    throwsCodecError(() => decodeHex(line, "00".repeat(16)), "line")
    throwsCodecError(() => decodeHex(lseg, "00".repeat(24)), "lseg")
    throwsCodecError(() => decodeHex(box, "00".repeat(33)), "box")
    throwsCodecError(() => decodeHex(path, "0000000002" + "00".repeat(16)), "path")
    throwsCodecError(() => decodeHex(path, "00ffffffff"), "path")
    throwsCodecError(() => decodeHex(polygon, "00000001" + "00".repeat(17)), "polygon")
    throwsCodecError(() => decodeHex(circle, "00".repeat(23)), "circle")
    throwsCodecError(() => point.decodeText("(1,2"), "point")
    throwsCodecError(() => point.decodeText("(1;2)"), "point")
    throwsCodecError(() => point.decodeText("(0x10,2)"), "point")
    throwsCodecError(() => point.decodeText("(1,2) x"), "point")
    throwsCodecError(() => line.decodeText("1,2,3"), "line")
    throwsCodecError(() => box.decodeText("[(1,2),(3,4)]x"), "box")
    throwsCodecError(() => polygon.decodeText("(1,2),"), "polygon")
    throwsCodecError(() => encodeHex(point, { x: "1", y: 2 } as unknown as PgGeometry.Point), "point")
    throwsCodecError(() => encodeHex(path, { closed: 1, points: [pt(1, 2)] } as unknown as PgGeometry.Path), "path")
  })

  it("lists every codec with its OID", () => {
    assert.deepStrictEqual(codecs.map((c) => [c.name, c.oid]), [
      ["point", Oid.point],
      ["line", Oid.line],
      ["lseg", Oid.lseg],
      ["box", Oid.box],
      ["path", Oid.path],
      ["polygon", Oid.polygon],
      ["circle", Oid.circle]
    ])
  })
})
