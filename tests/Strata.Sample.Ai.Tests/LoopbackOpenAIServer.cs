using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Strata.Sample.Ai.Tests;

/// <summary>A request the loopback model received.</summary>
internal sealed record ReceivedRequest(string Path, string? Authorization, JsonNode Body);

/// <summary>
/// A real HTTP server on loopback (Kestrel) that plays an OpenAI-compatible chat-completions endpoint: the remote AI
/// model is the edge of the system, so this is where the tests fake. It answers with <see cref="Reply"/>.
/// </summary>
internal sealed class LoopbackOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackOpenAIServer(WebApplication app) => _app = app;

    /// <summary>Decides the answer: status code and the assistant message's content (or a raw body for errors).</summary>
    public Func<ReceivedRequest, (int Status, string Body)> Reply { get; set; } = _ => (200, Completion("{}"));

    /// <summary>How long the model "thinks" before answering (to exercise the client's timeout).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>The base address to configure as Ai:OpenAI:Endpoint.</summary>
    public string Endpoint => $"{_app.Urls.Single()}/v1";

    public static async Task<LoopbackOpenAIServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LoopbackOpenAIServer(app);
        app.Map("/{**path}", async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body) ?? new JsonObject();
            var request = new ReceivedRequest(context.Request.Path, context.Request.Headers.Authorization.ToString(), body);
            server.Requests.Enqueue(request);
            if (server.Delay > TimeSpan.Zero)
            {
                await Task.Delay(server.Delay, context.RequestAborted);
            }

            var (status, reply) = server.Reply(request);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply);
        });
        await app.StartAsync();
        return server;
    }

    /// <summary>A chat.completion body whose assistant message is <paramref name="content"/>.</summary>
    public static string Completion(string content, string model = "gpt-4o-mini") => new JsonObject
    {
        ["id"] = "chatcmpl-test",
        ["object"] = "chat.completion",
        ["created"] = 1_764_000_000,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
            ["finish_reason"] = "stop",
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 42, ["completion_tokens"] = 17, ["total_tokens"] = 59 },
    }.ToJsonString();

    public static string Analysis(string summary, string[] keywords, string sentiment, double score) => JsonSerializer.Serialize(new
    {
        summary,
        keywords,
        sentiment,
        sentimentScore = score,
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
