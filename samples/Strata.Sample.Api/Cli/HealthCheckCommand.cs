namespace Strata.Sample.Api.Cli;

/// <summary>
/// <c>healthcheck [--url URL]</c>: GET the URL, exit 0 on 200 and 1 otherwise. Container health checks use it (the
/// runtime image has no curl).
/// </summary>
internal sealed record HealthCheckCommand(string Url) : SampleCommand([])
{
    public const string DefaultUrl = "http://127.0.0.1:8080/health/ready";

    public override async Task<int?> RunWithoutHostAsync() => await RunAsync();

    public async Task<int> RunAsync()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            await Console.Error.WriteLineAsync($"healthcheck: '{Url}' is not an http(s) URL.");
            return 1;
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(uri);
            await Console.Out.WriteLineAsync($"{uri} -> {(int)response.StatusCode}");
            return response.IsSuccessStatusCode && (int)response.StatusCode == 200 ? 0 : 1;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{uri} -> no answer ({exception.GetType().Name})");
            return 1;
        }
    }
}
