using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Strata.RateLimiting.Tests;

/// <summary>A real ASP.NET Core host on TestServer with the middleware as users wire it.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    public const string KeyHeader = "X-Test-Key";

    /// <summary>
    /// One second past a UTC midnight, so past a boundary of every fixed or sliding window that divides a day
    /// (windows are aligned to the Unix epoch). A test that needs two decisions in one window starts here.
    /// </summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 1, TimeSpan.Zero);

    /// <summary>A clock that stands still at <see cref="Start"/> until the test moves it: the real clock could cross a window boundary mid-test.</summary>
    public static FakeTimeProvider NewClock() => new(Start);

    private TestHost(WebApplication app, FakeTimeProvider time)
    {
        App = app;
        Time = time;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public static async Task<TestHost> StartAsync(
        Action<RateLimiterOptions> limiter,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? endpoints = null,
        string policy = "per-key")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        var time = NewClock();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddStrataRateLimiting();
        builder.Services.AddRateLimiter(limiter);
        services?.Invoke(builder.Services);

        var app = builder.Build();

        // Stands in for Strata.ApiKeys: a request with X-Test-Key carries the key-id claim.
        app.Use((context, next) =>
        {
            if (context.Request.Headers.TryGetValue(KeyHeader, out var key))
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(RatePartition.ApiKeyIdClaimType, key.ToString())], "test"));
            }

            return next(context);
        });
        app.UseRateLimiter();
        app.MapGet("/limited", () => "ok").RequireRateLimiting(policy);
        app.MapGet("/open", () => "open");
        endpoints?.Invoke(app);
        await app.StartAsync();
        return new TestHost(app, time);
    }

    public Task<HttpResponseMessage> GetAsync(string key, string path = "/limited")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(KeyHeader, key);
        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}

internal static class HttpExtensions
{
    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
        : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(", ", content)
        : null;
}
