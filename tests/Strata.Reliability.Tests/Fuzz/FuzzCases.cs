using System.Globalization;
using System.Text;

namespace Strata.Reliability.Tests.Fuzz;

/// <summary>What the generators need to know about the target: the valid key, the Host header, the body limit.</summary>
internal sealed record FuzzTarget(string Key, string Host, int BodyLimit, int MaxTextLength);

/// <summary>
/// The generators. Every case is a pure function of (seed, index): <c>new Random(Mix(seed, index))</c>, so a failing case
/// is reproduced by its seed and index alone, whatever ran concurrently.
/// </summary>
internal static class FuzzCases
{
    public const string RequestLine = "request-line";
    public const string Headers = "headers";
    public const string Framing = "framing";
    public const string Bodies = "bodies";
    public const string Sizes = "sizes";

    private static readonly string[] Methods = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "get", "PoSt", "FOO", "G@T", "GET\u0001", "", "DELETE ", "PROPFIND", "M-SEARCH"];

    private static readonly string[] Routes =
    [
        "/v1/analyze", "/v1/jobs", "/v1/jobs/{id}", "/admin/keys", "/admin/keys/{id}", "/admin/keys/{id}/rotate",
        "/health/live", "/health/ready", "/openapi/v1.json", "/scalar", "/", "/nope", "/v2/analyze", "/V1/ANALYZE", "/v1/", "/v1/jobs/",
    ];

    private static readonly string[] OddIds =
    [
        "", "%00", "a%00b", "..", "%2e%2e", "%2E%2E%2F%2E%2E", "a%2fb", "%c0%af", "%ff%fe", "%e2%82%ac", "%e2%80%ae", "%f0%9f%92%a9",
        "default.00000000000000000000000000000000", "default.", "default.zzzz", ".", "%", "%z", "%zz", "%25", "%2525", "%u0041",
        "{", "}", "*", "%0d%0aX-Injected:%20yes", "'%20OR%20'1'%3D'1", "%22%3E%3Cscript%3E", "key_0000000000000000", "%20", "+",
        "%3B", ";", "a;b=c", "~", "@", "a:b", "%5C..%5C", "\\..\\", "..%252f", "null", "undefined", "-1", "0", "1e309",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=UTF-8", "application/json; charset=\"utf-8\"",
        "application/json; charset=utf-16", "application/json; charset=utf-16le", "application/json; charset=utf-32", "application/json; charset=latin1",
        "application/json; charset=us-ascii", "application/json; charset=bogus", "application/json; charset=", "application/json; charset=utf-7",
        "application/json;;;", "application/json; charset=utf-8; charset=utf-16", "application/vnd.api+json", "application/problem+json",
        "text/json", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/octet-stream", "*/*", "application/*", "json", "application/json garbage", "APPLICATION/JSON",
        "application/json; boundary=\"unterminated", "application/json; charset=\u00e9",
    ];

    /// <summary>The category mix of the random cases (sizes are a fixed list, see <see cref="SizeCases"/>).</summary>
    private static readonly (string Category, int Weight)[] Mix = [(RequestLine, 3), (Headers, 3), (Framing, 2), (Bodies, 5)];

    public static int Mix32(int seed, int index) => unchecked((seed * 1_000_003) ^ (index * 7_919) ^ 0x5bd1e995);

    public static FuzzCase Create(int seed, int index, FuzzTarget target)
    {
        var random = new Random(Mix32(seed, index));
        var pick = random.Next(Mix.Sum(m => m.Weight));
        foreach (var (category, weight) in Mix)
        {
            if (pick < weight)
            {
                return category switch
                {
                    RequestLine => RequestLineCase(index, random, target),
                    Headers => HeaderCase(index, random, target),
                    Framing => FramingCase(index, random, target),
                    _ => BodyCase(index, random, target),
                };
            }

            pick -= weight;
        }

        throw new InvalidOperationException("unreachable");
    }

    // ---- request lines: methods, targets, versions ----

    private static RawCase RequestLineCase(int index, Random random, FuzzTarget target)
    {
        var method = random.Next(3) == 0 ? Pick(random, Methods) : Pick(random, ["GET", "POST", "DELETE"]);
        var path = OddPath(random);
        var version = random.Next(6) switch
        {
            0 => Pick(random, ["HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "HTTP/1.1 ", "http/1.1", "HTTP/1", "HTTP/1.10", "HTTP/", "", "HTTP/1.1\u0000"]),
            _ => "HTTP/1.1",
        };
        var raw = new RawRequest();
        byte[] line = [.. Encoding.Latin1.GetBytes($"{method} "), .. PathBytes(random, path), .. Encoding.Latin1.GetBytes($" {version}")];
        if (random.Next(8) == 0)
        {
            // Raw non-ASCII and control bytes in the target.
            var at = random.Next(method.Length + 1, line.Length - version.Length);
            line = [.. line[..at], (byte)Pick(random, [0x00, 0x01, 0x7f, 0x80, 0xc3, 0xff, 0x09, 0x0b, 0x20]), .. line[at..]];
        }

        raw.Line(line).Header("Host", target.Host).Header("Connection", "close");
        AddKey(raw, random, target);
        var body = method is "POST" or "PUT" or "PATCH" ? ValidJson(random) : [];
        if (body.Length > 0)
        {
            raw.Header("Content-Type", "application/json").Header("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        }

        raw.EndHeaders().Body(body);
        return RawCase.Create(index, RequestLine, $"{Show(method)} {Show(path)} {Show(version)}", raw.ToArray())
            with { Method = method, OddVersion = version is not ("HTTP/1.1" or "HTTP/1.0") };
    }

    private static string OddPath(Random random)
    {
        var route = Pick(random, Routes).Replace("{id}", Pick(random, OddIds), StringComparison.Ordinal);
        return random.Next(7) switch
        {
            0 => route + "/" + string.Join('/', Enumerable.Repeat(Pick(random, ["..", ".", "%2e%2e", "%2e", "...", ""]), random.Next(1, 12))),
            1 => "/" + string.Join('/', Enumerable.Repeat("..", random.Next(1, 6))) + route,
            2 => route + new string('a', Pick(random, [1000, 4000, 8100, 8192, 9000, 20_000])),          // MaxRequestLineSize is 8 KiB
            3 => route + "?" + Pick(random, ["overlapMinutes=abc", "overlapMinutes=-1", "overlapMinutes=99999999999", "overlapMinutes=", "overlapMinutes=1&overlapMinutes=2", "a=%00", "%%%", "x=" + new string('q', 5000), "&&&==", "overlapMinutes=1e3", "overlapMinutes=%20"]),
            4 => Pick(random, ["*", "http://example.com/v1/analyze", "http://127.0.0.1/health/live", "//health/live", "health/live", "/health//live", "/health/live#frag", "/%2fhealth/live", "\\health\\live", "/health/live%3Fx=1"]),
            5 => route.ToUpperInvariant(),
            _ => route,
        };
    }

    /// <summary>Mostly Latin-1 bytes of the path; sometimes raw UTF-8 of non-ASCII characters.</summary>
    private static byte[] PathBytes(Random random, string path)
        => random.Next(6) == 0 ? Encoding.UTF8.GetBytes(path + Pick(random, ["é", "ключ", "💩", "\u202e", "\u00a0"])) : Encoding.Latin1.GetBytes(path);

    // ---- headers: sizes, counts, duplicate keys, odd bytes ----

    private static RawCase HeaderCase(int index, Random random, FuzzTarget target)
    {
        var (method, path, body) = SomeRoute(random);
        var raw = new RawRequest().Line($"{method} {path} HTTP/1.1");
        var host = random.Next(12) switch
        {
            0 => null,
            1 => "",
            2 => "a b c",
            3 => target.Host + ", " + target.Host,
            4 => "\u00e9xample",
            _ => target.Host,
        };
        if (host is not null)
        {
            raw.Header("Host", host);
        }

        if (random.Next(12) == 0)
        {
            raw.Header("Host", target.Host);        // a second Host header
        }

        raw.Header("Connection", "close");
        string description;
        switch (random.Next(9))
        {
            case 0:
            {
                // One oversized header (MaxRequestHeadersTotalSize is 32 KiB).
                var size = Pick(random, [4_000, 16_000, 32_000, 32_768, 33_000, 64_000, 200_000]);
                raw.Header(Pick(random, ["X-Big", "X-Api-Key", "Authorization", "Cookie", "Idempotency-Key", "User-Agent"]), new string('k', size));
                AddKey(raw, random, target);
                description = $"one header of {size} bytes";
                break;
            }

            case 1:
            {
                // Many headers (MaxRequestHeaderCount is 100).
                var count = Pick(random, [50, 97, 98, 99, 100, 101, 150, 1000]);
                for (var i = 0; i < count; i++)
                {
                    raw.Header($"X-H{i}", "v");
                }

                AddKey(raw, random, target);
                description = $"{count} extra headers";
                break;
            }

            case 2:
            {
                // The key header twice (ambiguous: 401, never the first or last silently), or in both places.
                var junk = Pick(random, ["sk_sample_x", "", "junk", target.Key + "x", "sk_sample_" + new string('A', 49)]);
                var (first, second) = random.Next(3) switch
                {
                    0 => (target.Key, target.Key),
                    1 => (target.Key, junk),
                    _ => (junk, target.Key),
                };
                raw.Header(Pick(random, ["X-Api-Key", "x-api-key", "X-API-KEY"]), first).Header("X-Api-Key", second);
                description = $"X-Api-Key twice ({Redact(first, target)} / {Redact(second, target)})";
                break;
            }

            case 3:
            {
                var value = Pick(random, ["Bearer " + target.Key, "ApiKey " + target.Key, "Basic Zm9vOmJhcg==", "Bearer", "", "ApiKey", "Bearer  " + target.Key, "Digest x", "Bearer " + target.Key + ", Bearer " + target.Key]);
                raw.Header("Authorization", value);
                if (random.Next(2) == 0)
                {
                    raw.Header("Authorization", "Bearer junk");
                }

                AddKey(raw, random, target);
                description = $"Authorization: {Redact(value, target)}";
                break;
            }

            case 4:
            {
                // Control and non-ASCII bytes in the key (and other) header values.
                var oddity = Pick(random, ["\u0000", "\u0001", "\u001f", "\u007f", "\u0080", "\u00ff", "\u00e9", "\t", " ", "\u000b", "\u000c"]);
                var where = random.Next(3);
                var value = where switch
                {
                    0 => oddity + target.Key,
                    1 => target.Key[..10] + oddity + target.Key[10..],
                    _ => target.Key + oddity,
                };
                raw.Header(random.Next(4) == 0 ? "X-Other" : "X-Api-Key", value);
                description = $"key header with 0x{(int)oddity[0]:x2} at {where}";
                break;
            }

            case 5:
            {
                // Header names and lines Kestrel must refuse.
                var line = Pick(random, ["X Api Key: v", "X-Api-Key : v", ": v", "X-A:", "X-\u00e9: v", "X-A\u0000: v", "X-A v", "X-A: v\r\n folded", "X-A: v\n", "\u0001: v", "X-A: " + new string(' ', 1000)]);
                raw.Latin1(line + "\r\n");
                AddKey(raw, random, target);
                description = $"header line {Show(line)}";
                break;
            }

            case 6:
            {
                // UTF-8 in a header value (Kestrel takes ASCII by default).
                var value = Pick(random, ["ключ", "💩", "é", "\u202e"]);
                raw.Latin1("X-Api-Key: ").Body(Encoding.UTF8.GetBytes(value)).Latin1("\r\n");
                description = $"UTF-8 key {value}";
                break;
            }

            case 7:
            {
                var name = Pick(random, ["Idempotency-Key", "Accept", "Accept-Charset", "Accept-Encoding", "traceparent", "tracestate", "baggage", "X-Forwarded-For", "Range", "If-None-Match", "Cookie"]);
                var value = Pick(random, ["", "*", "\u00e9\u00e9", "00-zz-zz-zz", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff", "bytes=0-0,-1", "a=1;" + new string('b', 3000), "garbage,,,,;;;", "1.2.3.4, ::1, nope", new string('x', 4000), "text/html;q=nope"]);
                raw.Header(name, value);
                AddKey(raw, random, target);
                description = $"{name}: {Show(value)}";
                break;
            }

            default:
            {
                // A random-byte header section.
                var junk = new byte[random.Next(1, 400)];
                random.NextBytes(junk);
                raw.Body(junk).Latin1("\r\n");
                description = $"{junk.Length} random header bytes";
                break;
            }
        }

        if (body.Length > 0)
        {
            raw.Header("Content-Type", "application/json").Header("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        }

        raw.EndHeaders().Body(body);
        return RawCase.Create(index, Headers, $"{method} {path}: {description}{(host == target.Host ? "" : $" (Host {Show(host ?? "<none>")})")}", raw.ToArray()) with { Method = method };
    }

    // ---- framing: Content-Length, Transfer-Encoding, chunks, Expect ----

    private static RawCase FramingCase(int index, Random random, FuzzTarget target)
    {
        var path = Pick(random, ["/v1/analyze", "/v1/jobs", "/admin/keys", "/health/live", "/nope"]);
        var body = path == "/admin/keys" ? Encoding.UTF8.GetBytes("{\"name\":\"fuzz\",\"scopes\":[\"analyze\"]}") : ValidJson(random);
        var raw = new RawRequest().Line($"POST {path} HTTP/1.1").Header("Host", target.Host).Header("X-Api-Key", target.Key).Header("Content-Type", "application/json");
        var keepAlive = random.Next(4) == 0;
        if (!keepAlive)
        {
            raw.Header("Connection", "close");
        }

        var halfClose = false;
        string description;
        switch (random.Next(7))
        {
            case 0:
            {
                // Content-Length larger than what is sent: the client half-closes, the server sees the body end early.
                var extra = Pick(random, [1, 10, 1000, 100_000]);
                raw.Header("Content-Length", (body.Length + extra).ToString(CultureInfo.InvariantCulture)).EndHeaders().Body(body);
                halfClose = true;
                description = $"Content-Length {extra} over the body, then half-close";
                break;
            }

            case 1:
            {
                // Content-Length smaller than what is sent: the rest is read as the next request.
                var cut = random.Next(0, body.Length);
                raw.Header("Content-Length", cut.ToString(CultureInfo.InvariantCulture)).EndHeaders().Body(body);
                if (random.Next(2) == 0)
                {
                    raw.Latin1("GET /health/live HTTP/1.1\r\nHost: " + target.Host + "\r\n\r\n");
                }

                description = $"Content-Length {cut} of a {body.Length}-byte body";
                break;
            }

            case 2:
            {
                var value = Pick(random, ["-1", "abc", "1.5", "+10", " 10", "0x10", "99999999999999999999", "18446744073709551616", "9223372036854775807", "", "10, 10", "10, 11", "1e3"]);
                raw.Header("Content-Length", value);
                if (random.Next(3) == 0)
                {
                    raw.Header("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
                }

                raw.EndHeaders().Body(body);
                halfClose = true;
                description = $"Content-Length: {Show(value)}";
                break;
            }

            case 3:
            {
                // Content-Length and Transfer-Encoding together (the smuggling shape).
                raw.Header("Content-Length", random.Next(0, body.Length + 5).ToString(CultureInfo.InvariantCulture))
                    .Header("Transfer-Encoding", Pick(random, ["chunked", "Chunked", " chunked", "chunked, chunked", "gzip, chunked", "identity"]))
                    .EndHeaders().Body(Chunked(body, random));
                halfClose = random.Next(2) == 0;
                description = "Content-Length and Transfer-Encoding";
                break;
            }

            case 4:
            {
                var encoding = Pick(random, ["chunked", "gzip", "identity", "chunked, gzip", "xchunked", "chunked;q=1", "CHUNKED", "deflate, chunked", "", "chunked, chunked"]);
                raw.Header("Transfer-Encoding", encoding).EndHeaders().Body(Chunked(body, random));
                halfClose = true;
                description = $"Transfer-Encoding: {Show(encoding)}";
                break;
            }

            case 5:
            {
                // Malformed chunked bodies.
                var bad = Pick(random, [
                    "zz\r\nabc\r\n0\r\n\r\n", "5\r\nabc\r\n0\r\n\r\n", "3\r\nabcdef\r\n0\r\n\r\n", "-1\r\nabc\r\n0\r\n\r\n", "ffffffffffffffffff\r\nabc\r\n",
                    "3;ext=" + new string('e', 5000) + "\r\nabc\r\n0\r\n\r\n", "3\nabc\n0\n\n", "3\r\nabc", "0\r\nX-Trailer: \u0001\r\n\r\n", " 3\r\nabc\r\n0\r\n\r\n",
                    "3 \r\nabc\r\n0\r\n\r\n", "3\r\nabc\r\n0\r\nTrailer-Without-End", "80000000\r\nabc\r\n", "\r\n\r\n", "0x3\r\nabc\r\n0\r\n\r\n",
                ]);
                raw.Header("Transfer-Encoding", "chunked").EndHeaders().Latin1(bad);
                halfClose = true;
                description = $"chunked body {Show(bad.Length > 40 ? bad[..40] + "..." : bad)}";
                break;
            }

            default:
            {
                // Expect: 100-continue, with the body sent anyway, never sent (half-close), or an unknown expectation.
                var expectation = Pick(random, ["100-continue", "100-Continue", "200-ok", "", "100-continue, 100-continue"]);
                raw.Header("Expect", expectation).Header("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture)).EndHeaders();
                var send = random.Next(2) == 0;
                if (send)
                {
                    raw.Body(body);
                }
                else
                {
                    halfClose = true;
                }

                description = $"Expect: {Show(expectation)}, body {(send ? "sent" : "never sent")}";
                break;
            }
        }

        return RawCase.Create(index, Framing, $"POST {path}: {description}{(keepAlive ? " (keep-alive)" : "")}", raw.ToArray(), halfClose)
            with { MayClose = halfClose || keepAlive, Method = "POST" };
    }

    private static byte[] Chunked(byte[] body, Random random)
    {
        var chunked = new MemoryStream();
        var offset = 0;
        while (offset < body.Length)
        {
            var size = Math.Min(body.Length - offset, random.Next(1, 64));
            chunked.Write(Encoding.ASCII.GetBytes(size.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
            chunked.Write(body, offset, size);
            chunked.Write("\r\n"u8);
            offset += size;
        }

        chunked.Write("0\r\n\r\n"u8);
        return chunked.ToArray();
    }

    // ---- bodies: JSON and not, encodings, content types ----

    private static ClientCase BodyCase(int index, Random random, FuzzTarget target)
    {
        var (method, path) = random.Next(10) switch
        {
            < 4 => (HttpMethod.Post, "/v1/analyze"),
            < 7 => (HttpMethod.Post, "/v1/jobs"),
            7 => (HttpMethod.Post, "/admin/keys"),
            8 => (HttpMethod.Post, "/admin/keys/key_0000000000000000/rotate"),
            _ => (Pick(random, [HttpMethod.Put, HttpMethod.Patch, HttpMethod.Get, HttpMethod.Delete]), Pick(random, ["/v1/analyze", "/v1/jobs/x", "/health/live", "/admin/keys"])),
        };
        var (description, body, charset) = path == "/admin/keys" && random.Next(2) == 0 ? KeyBody(random) : DocumentBody(random, target);
        var contentType = random.Next(3) switch
        {
            0 => Pick(random, ContentTypes),
            _ => charset is null ? "application/json" : $"application/json; charset={charset}",
        };
        if (random.Next(20) == 0)
        {
            contentType = null;
        }

        List<(string, string)> headers = random.Next(12) switch
        {
            0 => [],
            1 => [("X-Api-Key", "sk_sample_" + new string('Z', 49))],
            _ => [("X-Api-Key", target.Key)],
        };
        if (random.Next(6) == 0)
        {
            headers.Add(("Idempotency-Key", Pick(random, ["", "a", new string('i', 2000), "ключ", "a:b:c", "{tag}", "*"])));
        }

        return new ClientCase(index, Bodies, $"{method} {path} [{contentType ?? "<no content type>"}] {description}{(headers.Count == 0 ? " (no key)" : "")}", method, path, contentType, body, headers)
        {
            Method = method.Method,
        };
    }

    private static (string Description, byte[] Body, string? Charset) DocumentBody(Random random, FuzzTarget target)
    {
        var text = Pick(random, ["The release was late and the bugs were painful.", "Fast, calm and reliable.", "a", "ok"]);
        switch (random.Next(16))
        {
            case 0:
            {
                var bytes = new byte[Pick(random, [0, 1, 2, 16, 512, 4096, 65_536])];
                random.NextBytes(bytes);
                return ($"{bytes.Length} random bytes", bytes, null);
            }

            case 1:
            {
                var json = Encoding.UTF8.GetBytes(Json(text));
                var cut = random.Next(0, json.Length);
                return ($"JSON truncated at {cut}", json[..cut], null);
            }

            case 2:
            {
                var json = Encoding.UTF8.GetBytes(Json(text));
                var at = random.Next(json.Length);
                json[at] = (byte)Pick(random, ['{', '}', '"', '\\', ',', ':', '[', 0, 0x1f, 0xff, 'x']);
                return ($"JSON with byte {at} replaced", json, null);
            }

            case 3:
            {
                var depth = Pick(random, [63, 64, 65, 200, 5_000, 100_000]);
                var shape = random.Next(3);
                var json = shape switch
                {
                    0 => new string('[', depth) + new string(']', depth),
                    1 => "{\"text\":" + new string('[', depth) + new string(']', depth) + "}",
                    _ => string.Concat(Enumerable.Repeat("{\"text\":", depth)) + "\"x\"" + new string('}', depth),
                };
                return ($"nesting depth {depth} (shape {shape})", Encoding.UTF8.GetBytes(json), null);
            }

            case 4:
            {
                var value = Pick(random, ["1", "-0", "1e309", "true", "false", "[]", "{}", "[\"a\"]", "{\"a\":1}", "null", "\"\"", "\"   \"", "\"\\u0000\"", "0.1e-400", "123456789012345678901234567890"]);
                return ($"text: {value}", Encoding.UTF8.GetBytes("{\"text\":" + value + "}"), null);
            }

            case 5:
            {
                var json = Pick(random, ["null", "{}", "[]", "\"text\"", "1", "true", "{\"Text\":\"a b\"}", "{\"TEXT\":\"a b\"}", "{\"text\":\"a\",\"text\":\"b\"}", "{\"text\":\"a\",\"extra\":{\"deep\":[1,2,3]}}", "{\"text\":\"a\"} trailing", "{\"text\":\"a\"}{\"text\":\"b\"}", " ", "\t\r\n", "{\"text\":\"a\",}", "{'text':'a'}", "{text:\"a\"}", "{\"text\":\"a\" /* c */}", "{\"text\":\"a\"}\u0000"]);
                return ($"JSON {Show(json)}", Encoding.UTF8.GetBytes(json), null);
            }

            case 6:
            {
                // Long texts around Ai:MaxTextLength, ASCII or multi-byte.
                var length = Pick(random, [target.MaxTextLength - 1, target.MaxTextLength, target.MaxTextLength + 1, 300_000]);
                var unit = Pick(random, ["word ", "é", "字", "💩", "a"]);
                var builder = new StringBuilder(length + 8);
                while (builder.Length < length)
                {
                    builder.Append(unit);
                }

                var value = builder.ToString(0, length - (char.IsHighSurrogate(builder[length - 1]) ? 1 : 0));
                return ($"text of {value.Length} chars of {Show(unit)}", Encoding.UTF8.GetBytes(Json(value)), null);
            }

            case 7:
            {
                // Many escapes: small on the wire, larger once read.
                var count = Pick(random, [10, 1000, 30_000, 100_001]);
                var json = "{\"text\":\"" + string.Concat(Enumerable.Repeat("\\u0041", count)) + "\"}";
                return ($"{count} \\u escapes", Encoding.UTF8.GetBytes(json), null);
            }

            case 8:
            {
                var json = Json(text);
                return random.Next(5) switch
                {
                    0 => ("UTF-8 BOM", [0xef, 0xbb, 0xbf, .. Encoding.UTF8.GetBytes(json)], null),
                    1 => ("UTF-16LE with BOM", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(json)], Pick<string?>(random, [null, "utf-16"])),
                    2 => ("UTF-16BE", Encoding.BigEndianUnicode.GetBytes(json), Pick<string?>(random, [null, "utf-16be", "utf-16"])),
                    3 => ("UTF-32", Encoding.UTF32.GetBytes(json), Pick<string?>(random, [null, "utf-32"])),
                    _ => ("Latin-1 text", Encoding.Latin1.GetBytes(Json("café crème")), Pick<string?>(random, [null, "iso-8859-1", "latin1"])),
                };
            }

            case 9:
            {
                // Invalid UTF-8 inside the string and outside it.
                var bad = Pick<byte[]>(random, [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x92]]);
                var inside = random.Next(2) == 0;
                byte[] body = inside
                    ? [.. "{\"text\":\"abc"u8.ToArray(), .. bad, .. "def\"}"u8.ToArray()]
                    : [.. bad, .. "{\"text\":\"abc\"}"u8.ToArray()];
                return ($"invalid UTF-8 {Convert.ToHexString(bad)} {(inside ? "in the string" : "before the JSON")}", body, null);
            }

            case 10:
            {
                var escape = Pick(random, ["\\ud800", "\\udc00", "\\ud800\\ud800", "\\udfff\\ud800", "\\u0000", "\\u001f", "\\uffff", "\\ufeff", "\\u202e", "\\x41", "\\q", "\\"]);
                return ($"escape {escape}", Encoding.UTF8.GetBytes("{\"text\":\"a" + escape + "b\"}"), null);
            }

            case 11:
            {
                // Texts the analyzer might not expect: only punctuation, only whitespace variants, control characters, RTL.
                var value = Pick(random, ["!!!???...", "\u00a0\u2003\u3000", "\u0001\u0002\u0003", "\u202eevil", "😀😀😀", "a\u0000b", "\r\n\r\n", "....", "-", "'", "\"", "<script>alert(1)</script>", "%s%n%x", "${jndi:ldap://x}", "{{7*7}}", "\ufeff"]);
                return ($"text {Show(value)}", Encoding.UTF8.GetBytes(Json(value)), null);
            }

            case 12:
                return ("empty body", [], null);

            default:
                return ("valid document", Encoding.UTF8.GetBytes(Json(text)), null);
        }
    }

    private static (string Description, byte[] Body, string? Charset) KeyBody(Random random)
    {
        var name = Pick(random, ["\"fuzz\"", "\"\"", "\"   \"", "null", "1", "[]", "\"" + new string('n', Pick(random, [255, 256, 257, 10_000, 200_000])) + "\"", "\"a\\u0000b\"", "\"\\u202e\"", "\"ключ\""]);
        var owner = Pick(random, ["", ",\"owner\":\"o\"", ",\"owner\":\"\"", ",\"owner\":null", ",\"owner\":\"" + new string('o', Pick(random, [256, 257, 5000])) + "\"", ",\"owner\":\"\\u0001\"", ",\"owner\":7"]);
        var scopes = Pick(random, ["[\"analyze\"]", "[]", "null", "\"analyze\"", "[null]", "[\"\"]", "[\"nope\"]", "[\"analyze\",\"analyze\"]", "[1,2]", "[\"analyze\"," + string.Join(',', Enumerable.Repeat("\"jobs:write\"", 500)) + "]", "[\"" + new string('s', 200) + "\"]"]);
        var plan = Pick(random, ["", ",\"plan\":\"demo\"", ",\"plan\":\"\"", ",\"plan\":null", ",\"plan\":\"" + new string('p', 5000) + "\"", ",\"plan\":\"\\u0000\"", ",\"plan\":{}"]);
        var expires = Pick(random, ["", ",\"expiresAt\":null", ",\"expiresAt\":\"0001-01-01T00:00:00Z\"", ",\"expiresAt\":\"9999-12-31T23:59:59Z\"", ",\"expiresAt\":\"2020-01-01T00:00:00Z\"", ",\"expiresAt\":\"not a date\"", ",\"expiresAt\":12345", ",\"expiresAt\":\"2030-02-30T00:00:00Z\"", ",\"expiresAt\":\"2030-01-01T00:00:00+14:00\""]);
        var json = $"{{\"name\":{name}{owner},\"scopes\":{scopes}{plan}{expires}}}";
        return ($"key request {Show(json.Length > 160 ? json[..160] + "..." : json)}", Encoding.UTF8.GetBytes(json), null);
    }

    // ---- sizes: a fixed list around the body limit ----

    /// <summary>Bodies of 0, limit - 1, limit, limit + 1 and far over, declared by Content-Length or chunked, on both document routes.</summary>
    public static IEnumerable<FuzzCase> SizeCases(int firstIndex, FuzzTarget target)
    {
        var index = firstIndex;
        foreach (var path in new[] { "/v1/analyze", "/v1/jobs" })
        {
            // Kestrel counts a chunked body's framing (chunk-size lines, CRLFs) against the limit, so the chunked sizes
            // "under the limit" leave room for it: 16 chunks of 64 KiB add about 150 bytes.
            var sizes = new (int Size, bool Chunked)[]
            {
                (0, false), (1, false), (target.BodyLimit - 1, false), (target.BodyLimit, false), (target.BodyLimit + 1, false), (4 * target.BodyLimit, false),
                (1, true), (target.BodyLimit - 4096, true), (target.BodyLimit + 1, true), (4 * target.BodyLimit, true),
            };
            foreach (var (size, chunked) in sizes)
            {
                var body = JsonOfSize(size);
                var raw = new RawRequest().Line($"POST {path} HTTP/1.1").Header("Host", target.Host).Header("X-Api-Key", target.Key)
                    .Header("Content-Type", "application/json").Header("Connection", "close");
                raw = chunked
                    ? raw.Header("Transfer-Encoding", "chunked").EndHeaders()
                    : raw.Header("Content-Length", size.ToString(CultureInfo.InvariantCulture)).EndHeaders();
                var pieces = new List<byte[]> { raw.ToArray() };
                for (var offset = 0; offset < body.Length; offset += 64 * 1024)
                {
                    var piece = body.AsSpan(offset, Math.Min(64 * 1024, body.Length - offset)).ToArray();
                    pieces.Add(chunked ? [.. Encoding.ASCII.GetBytes(piece.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), .. piece, .. "\r\n"u8.ToArray()] : piece);
                }

                if (chunked)
                {
                    pieces.Add("0\r\n\r\n"u8.ToArray());
                }

                // Up to the limit: never 413 (a text over Ai:MaxTextLength is a 400 naming the text). Over it: 413.
                IReadOnlySet<int> expected = size > target.BodyLimit ? new HashSet<int> { 413 } : new HashSet<int> { 200, 202, 400 };
                yield return new RawCase(index++, Sizes, $"POST {path} body of {size} bytes ({(chunked ? "chunked" : "Content-Length")})", pieces, HalfClose: false)
                {
                    Expected = expected,
                    MayClose = size > 2 * target.BodyLimit,   // far over: the server may answer and close while the body is still coming
                    Method = "POST",
                };
            }
        }
    }

    /// <summary><c>{"text":"aaa..."}</c> of exactly <paramref name="size"/> bytes (shorter sizes: a prefix of it, so invalid JSON).</summary>
    private static byte[] JsonOfSize(int size)
    {
        const string Head = "{\"text\":\"";
        const string Tail = "\"}";
        if (size < Head.Length + Tail.Length)
        {
            return Encoding.UTF8.GetBytes((Head + Tail)[..size]);
        }

        var body = new byte[size];
        Encoding.ASCII.GetBytes(Head).CopyTo(body, 0);
        body.AsSpan(Head.Length, size - Head.Length - Tail.Length).Fill((byte)'a');
        Encoding.ASCII.GetBytes(Tail).CopyTo(body, size - Tail.Length);
        return body;
    }

    // ---- helpers ----

    private static (string Method, string Path, byte[] Body) SomeRoute(Random random) => random.Next(8) switch
    {
        0 => ("POST", "/v1/analyze", ValidJson(random)),
        1 => ("POST", "/v1/jobs", ValidJson(random)),
        2 => ("GET", "/v1/jobs/default.00000000000000000000000000000000", []),
        3 => ("DELETE", "/v1/jobs/" + Pick(random, OddIds), []),
        4 => ("GET", "/admin/keys", []),
        5 => ("DELETE", "/admin/keys/key_0000000000000000", []),
        6 => ("GET", Pick(random, ["/health/live", "/health/ready"]), []),
        _ => ("GET", "/nope", []),
    };

    private static void AddKey(RawRequest raw, Random random, FuzzTarget target)
    {
        switch (random.Next(8))
        {
            case 0:
                break;
            case 1:
                raw.Header("X-Api-Key", "sk_sample_" + new string('Q', 49));
                break;
            case 2:
                raw.Header("X-Api-Key", Pick(random, ["", "x", "sk_sample_", "sk_other_abc", new string('k', 300)]));
                break;
            default:
                raw.Header("X-Api-Key", target.Key);
                break;
        }
    }

    private static byte[] ValidJson(Random random)
        => Encoding.UTF8.GetBytes(Json(Pick(random, ["A short, calm and happy note.", "Bugs were painful.", "x"])));

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(new { text });

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Redact(string value, FuzzTarget target) => value.Replace(target.Key, "<key>", StringComparison.Ordinal);

    /// <summary>A printable form for messages: control and non-ASCII characters escaped, long values cut.</summary>
    internal static string Show(string value)
    {
        var text = new StringBuilder();
        foreach (var c in value.Length > 120 ? value[..120] : value)
        {
            text.Append(c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return value.Length > 120 ? $"{text}...({value.Length} chars)" : text.ToString();
    }
}
