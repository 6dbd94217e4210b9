using System.Text;

namespace Strata.Reliability.Tests.Fuzz;

/// <summary>One generated request: its category, a readable description for failure messages, and how to send it.</summary>
internal abstract record FuzzCase(int Index, string Category, string Description)
{
    /// <summary>The server may close the connection without an answer (framing the server cannot finish reading).</summary>
    public bool MayClose { get; init; }

    /// <summary>When set, the status codes the case must get (in addition to the general rules).</summary>
    public IReadOnlySet<int>? Expected { get; init; }

    /// <summary>The request line names an HTTP version other than HTTP/1.0 or HTTP/1.1: Kestrel's 505 is the right answer.</summary>
    public bool OddVersion { get; init; }

    /// <summary>The method, for the "empty 4xx only for HEAD" rule.</summary>
    public string Method { get; init; } = "GET";
}

/// <summary>Bytes on a plain socket: for what <see cref="HttpClient"/> refuses to send.</summary>
internal sealed record RawCase(int Index, string Category, string Description, IReadOnlyList<byte[]> Pieces, bool HalfClose)
    : FuzzCase(Index, Category, Description)
{
    public static RawCase Create(int index, string category, string description, byte[] request, bool halfClose = false)
        => new(index, category, description, [request], halfClose);
}

/// <summary>A well-framed request with a hostile body or content type, sent by <see cref="HttpClient"/>.</summary>
internal sealed record ClientCase(int Index, string Category, string Description, HttpMethod HttpMethod, string Path, string? ContentType, byte[]? Body, IReadOnlyList<(string Name, string Value)> Headers)
    : FuzzCase(Index, Category, Description)
{
    /// <summary>The same request as raw bytes, to read the server's answer when it answers before the body is sent.</summary>
    public RawCase ToRaw(string host)
    {
        var raw = new RawRequest().Line($"{HttpMethod.Method} {Path} HTTP/1.1").Header("Host", host).Header("Connection", "close");
        foreach (var (name, value) in Headers)
        {
            raw.Latin1($"{name}: ").Body(Encoding.UTF8.GetBytes(value)).Latin1("\r\n");
        }

        if (Body is not null)
        {
            if (ContentType is not null)
            {
                raw.Latin1("Content-Type: ").Body(Encoding.UTF8.GetBytes(ContentType)).Latin1("\r\n");
            }

            raw.Header("Content-Length", Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return RawCase.Create(Index, Category, Description, raw.EndHeaders().Body(Body ?? []).ToArray()) with { Method = Method, Expected = Expected };
    }

    public HttpRequestMessage Build()
    {
        var request = new HttpRequestMessage(HttpMethod, new Uri(Path, UriKind.Relative));
        request.Headers.ConnectionClose = true;     // a connection per request: a fresh loopback source address each time
        foreach (var (name, value) in Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (Body is not null)
        {
            request.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        return request;
    }
}

/// <summary>Builds raw HTTP/1.1 requests byte by byte.</summary>
internal sealed class RawRequest
{
    private readonly MemoryStream _bytes = new();

    public RawRequest Line(string text) => Latin1(text + "\r\n");

    public RawRequest Line(byte[] text)
    {
        _bytes.Write(text);
        _bytes.Write("\r\n"u8);
        return this;
    }

    public RawRequest Header(string name, string value) => Latin1($"{name}: {value}\r\n");

    public RawRequest EndHeaders() => Latin1("\r\n");

    public RawRequest Body(byte[] body)
    {
        _bytes.Write(body);
        return this;
    }

    public RawRequest Latin1(string text)
    {
        _bytes.Write(Encoding.Latin1.GetBytes(text));
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();
}
