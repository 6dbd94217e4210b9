using System.Net.Http.Headers;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using Strata.Sample.Client;
using Strata.Sample.Client.Models;

// Walks the whole sample surface with the client Kiota generated from the live /openapi/v1.json: only generated types
// (requests, models, the typed ProblemDetails errors) and Kiota's runtime. One line per step on stdout:
//   step <name> ok <what was seen>      or      step <name> FAIL <why>
// Exit code 0 when every step is ok. Before the outage step it prints "outage: stop redis" and waits for a line on
// stdin (the test stops redis-server, then answers).
//
// Kiota projects no type for a header (request or response): the header names come from the document, passed in by
// the test (the ApiKey security scheme's name, the Idempotency-Key parameter of SubmitJob), and response headers are
// read through Kiota's HeadersInspectionHandlerOption into the BCL's typed HttpResponseHeaders (Location, Retry-After).
//
// Usage: Walker <base-url> <api-key-header> <key> <admin-key> <limited-key> [<idempotency-header>]
if (args.Length < 5)
{
    Console.Error.WriteLine("Usage: Walker <base-url> <api-key-header> <key> <admin-key> <limited-key> [<idempotency-header>]");
    return 2;
}

var baseUrl = args[0];
var keyHeader = args[1];
var idempotencyHeader = args.Length > 5 ? args[5] : null;
var client = Walk.Client(baseUrl, keyHeader, args[2]);
var admin = Walk.Client(baseUrl, keyHeader, args[3]);
var limited = Walk.Client(baseUrl, keyHeader, args[4]);
var document = new DocumentRequest { Text = "The generated client walks every route. It works and the tests are happy." };
var failures = 0;

failures += await Walk.StepAsync("analyze", async () =>
{
    var analysis = await client.V1.Analyze.PostAsync(document);
    return analysis is { TokenCount: > 0, Summary.Length: > 0, AnalysisId: not null }
        ? $"tokens={analysis.TokenCount} sentiment={analysis.Sentiment}"
        : throw new InvalidOperationException("the analysis has no tokens, summary or id");
});

JobStatus? submitted = null;
failures += await Walk.StepAsync("submit", async () =>
{
    var headers = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
    var idempotencyKey = $"walk-{Guid.NewGuid():N}";
    submitted = await client.V1.Jobs.PostAsync(document, request =>
    {
        request.Options.Add(headers);
        if (idempotencyHeader is not null)
        {
            request.Headers.Add(idempotencyHeader, idempotencyKey);
        }
    });
    var location = Walk.Typed(headers).Location;
    if (submitted?.Id is null || location?.OriginalString != $"/v1/jobs/{submitted.Id}")
    {
        throw new InvalidOperationException($"202 without a job id or with Location '{location}'");
    }

    if (idempotencyHeader is null)
    {
        throw new InvalidOperationException(
            "POST /v1/jobs declares no Idempotency-Key header parameter in the live document, so the generated client cannot send it");
    }

    var again = await client.V1.Jobs.PostAsync(document, request => request.Headers.Add(idempotencyHeader, idempotencyKey));
    return again?.Id == submitted.Id
        ? $"state={submitted.State} location={location} resubmitted-same-job={again.Id == submitted.Id}"
        : throw new InvalidOperationException($"the same Idempotency-Key gave job {again?.Id}, not {submitted.Id}");
});

failures += await Walk.StepAsync("poll", async () =>
{
    var id = submitted?.Id ?? throw new InvalidOperationException("no job was submitted");
    var status = await Walk.PollUntilFinishedAsync(client, id);
    return status is { State: JobStatus_state.Succeeded, Progress: 100, Result.TokenCount: > 0 }
        ? $"state={status.State} attempt={status.Attempt} tokens={status.Result.TokenCount}"
        : throw new InvalidOperationException($"the job ended {status.State} ({status.Error})");
});

failures += await Walk.StepAsync("cancel", async () =>
{
    var job = await client.V1.Jobs.PostAsync(document);
    var id = job?.Id ?? throw new InvalidOperationException("no job id");
    await client.V1.Jobs[id].DeleteAsync();
    var status = await Walk.PollUntilFinishedAsync(client, id);
    var finished = submitted?.Id ?? throw new InvalidOperationException("no finished job");
    var conflict = await Walk.ProblemAsync<StrataProblemDetails>(() => client.V1.Jobs[finished].DeleteAsync());
    return status.State == JobStatus_state.Cancelled && conflict.ResponseStatusCode == 409
        ? $"state={status.State} finished-job={conflict.ResponseStatusCode} {conflict.Title}"
        : throw new InvalidOperationException($"the job ended {status.State}; cancelling a finished job gave {conflict.ResponseStatusCode}");
});

failures += await Walk.StepAsync("admin-keys", async () =>
{
    var created = await admin.Admin.Keys.PostAsync(new CreateKeyRequest { Name = "walk", Scopes = [CreateKeyRequest_scopes.Analyze], Plan = "pro" });
    var id = created?.Record?.Id ?? throw new InvalidOperationException("201 without a key record");
    var listed = await admin.Admin.Keys.GetAsync() ?? [];
    var record = listed.SingleOrDefault(r => r.Id == id) ?? throw new InvalidOperationException("the new key is not listed");
    var rotated = await admin.Admin.Keys[id].Rotate.PostAsync(request => request.QueryParameters.OverlapMinutes = 0);
    var successor = rotated?.Record?.Id ?? throw new InvalidOperationException("the rotation returned no key record");
    await Walk.Client(baseUrl, keyHeader, rotated.Key!).V1.Analyze.PostAsync(document);
    var oldKey = await Walk.ProblemAsync<StrataProblemDetails>(() => Walk.Client(baseUrl, keyHeader, created.Key!).V1.Analyze.PostAsync(document));
    await admin.Admin.Keys[successor].DeleteAsync();
    var revoked = await Walk.ProblemAsync<StrataProblemDetails>(() => Walk.Client(baseUrl, keyHeader, rotated.Key!).V1.Analyze.PostAsync(document));
    return oldKey.ResponseStatusCode == 401 && revoked.ResponseStatusCode == 401 && record.Plan == "pro"
        ? $"created={id} listed={listed.Count} rotated={successor} old-key={oldKey.ResponseStatusCode} revoked={revoked.ResponseStatusCode}"
        : throw new InvalidOperationException($"old key {oldKey.ResponseStatusCode}, revoked key {revoked.ResponseStatusCode}, plan {record.Plan}");
});

failures += await Walk.StepAsync("rate-limit", async () =>
{
    for (var i = 0; i < 20; i++)
    {
        // A job that is not there: 404 (StrataProblemDetails) until the key's limit answers 429 (RateLimitProblemDetails).
        var headers = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        try
        {
            await limited.V1.Jobs["default.00000000000000000000000000000000"].GetAsync(r => r.Options.Add(headers));
            throw new InvalidOperationException("a job that does not exist was found");
        }
        catch (StrataProblemDetails missing) when (missing.ResponseStatusCode == 404)
        {
        }
        catch (RateLimitProblemDetails problem)
        {
            var retryAfter = Walk.Typed(headers).RetryAfter?.Delta;
            return retryAfter > TimeSpan.Zero && problem.Status == 429 && problem.RetryAfter > 0 && problem.Policy is { Length: > 0 }
                ? $"after={i} status={problem.Status} retry-after={retryAfter.Value.TotalSeconds}s policy={problem.Policy} title={problem.Title}"
                : throw new InvalidOperationException($"429 without a Retry-After delay ({retryAfter}), a status ({problem.Status}) or a policy ({problem.Policy})");
        }
    }

    throw new InvalidOperationException("20 requests of a limited key got no 429");
});

Console.WriteLine("outage: stop redis");
await Console.In.ReadLineAsync();
failures += await Walk.StepAsync("redis-outage", async () =>
{
    var headers = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
    var submit = await Walk.ProblemAsync<StrataProblemDetails>(() => client.V1.Jobs.PostAsync(document, r => r.Options.Add(headers)));
    var retryAfter = Walk.Typed(headers).RetryAfter?.Delta;
    var id = submitted?.Id ?? throw new InvalidOperationException("no job was submitted");
    var poll = await Walk.ProblemAsync<StrataProblemDetails>(() => client.V1.Jobs[id].GetAsync());
    return submit.ResponseStatusCode == 503 && poll.ResponseStatusCode == 503 && retryAfter > TimeSpan.Zero
        ? $"submit={submit.ResponseStatusCode} poll={poll.ResponseStatusCode} retry-after={retryAfter.Value.TotalSeconds}s title={submit.Title}"
        : throw new InvalidOperationException($"submit {submit.ResponseStatusCode}, poll {poll.ResponseStatusCode}, Retry-After {retryAfter}");
});

Console.WriteLine($"walk: {failures} failed");
return failures == 0 ? 0 : 1;

/// <summary>The walk's plumbing: a client per key, a step line, a typed error, typed response headers.</summary>
internal static class Walk
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// A client that sends <paramref name="key"/> in the ApiKey scheme's header. Kiota's ApiKeyAuthenticationProvider
    /// refuses plain http ("Only https is supported"), and the sample runs on http://127.0.0.1 here, so the key rides
    /// as a default header of the HttpClient that Kiota's factory builds (with its middleware, header inspection included).
    /// Kiota's RetryHandler would wait out a 429's or 503's Retry-After and send again (3 times by default): the walk
    /// turns it off to see those answers.
    /// </summary>
    public static SampleClient Client(string baseUrl, string keyHeader, string key)
    {
        var http = KiotaClientFactory.Create(optionsForHandlers: [new RetryHandlerOption { MaxRetry = 0 }]);
        http.DefaultRequestHeaders.Add(keyHeader, key);
        return new(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = baseUrl });
    }

    public static async Task<int> StepAsync(string name, Func<Task<string>> step)
    {
        try
        {
            Console.WriteLine($"step {name} ok {await step().WaitAsync(StepTimeout)}");
            return 0;
        }
        catch (ApiException exception)
        {
            return Fail(name, $"{exception.GetType().Name} (HTTP {exception.ResponseStatusCode}): {exception.Message}");
        }
        catch (Exception exception)
        {
            return Fail(name, $"{exception.GetType().Name}: {exception.Message}");
        }
    }

    private static int Fail(string name, string reason)
    {
        Console.WriteLine($"step {name} FAIL {reason.ReplaceLineEndings(" ")}");
        return 1;
    }

    /// <summary>The typed problem the generated client throws for a declared error status (the document names its schema).</summary>
    public static async Task<TProblem> ProblemAsync<TProblem>(Func<Task> call)
        where TProblem : ApiException
    {
        try
        {
            await call();
        }
        catch (TProblem problem)
        {
            return problem;
        }

        throw new InvalidOperationException("the call succeeded where an error was expected");
    }

    public static async Task<JobStatus> PollUntilFinishedAsync(SampleClient client, string id)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = await client.V1.Jobs[id].GetAsync() ?? throw new InvalidOperationException("200 without a body");
            if (status.State is JobStatus_state.Succeeded or JobStatus_state.Dead or JobStatus_state.Cancelled || DateTimeOffset.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Kiota hands response headers over as strings; the BCL parses them into typed values.</summary>
    public static HttpResponseHeaders Typed(HeadersInspectionHandlerOption inspected)
    {
        var headers = new HttpResponseMessage().Headers;
        foreach (var (name, values) in inspected.ResponseHeaders)
        {
            headers.TryAddWithoutValidation(name, values);
        }

        return headers;
    }
}
