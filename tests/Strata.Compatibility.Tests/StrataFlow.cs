using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Strata.Compatibility.Tests;

/// <summary>What every running consumer app must do: an authenticated call, a 429 with its headers, a job to the end.</summary>
internal static class StrataFlow
{
    public static async Task ExerciseAsync(RunningApp app)
    {
        using var anonymous = app.CreateClient(withKey: false);
        using var client = app.CreateClient();

        (await anonymous.GetAsync("/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a request without a key is refused");

        // The policy admits 3 a minute per key: the fourth call is refused with the headers a client needs to back off.
        var admitted = await client.GetAsync("/me");
        admitted.StatusCode.Should().Be(HttpStatusCode.OK, app.Output);
        (await admitted.Content.ReadAsStringAsync()).Should().NotBeNullOrWhiteSpace("the endpoint answers the key's id");
        admitted.Headers.Contains("RateLimit").Should().BeTrue("admitted answers carry the RateLimit header too");
        (await client.GetAsync("/me")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/me")).StatusCode.Should().Be(HttpStatusCode.OK);
        var refused = await client.GetAsync("/me");
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter.Should().NotBeNull();
        refused.Headers.GetValues("RateLimit-Policy").Single().Should().Contain("\"per-key\";q=3");
        refused.Headers.GetValues("RateLimit").Single().Should().Contain("r=0");
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");

        // A job submitted over HTTP runs on the app's workers (in Redis) to succeeded, and its result is readable.
        var submitted = await client.PostAsJsonAsync("/jobs", new { text = "one two three" });
        submitted.StatusCode.Should().Be(HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var location = submitted.Headers.Location ?? throw new InvalidOperationException("202 without Location");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        JsonElement status;
        while (true)
        {
            status = await client.GetFromJsonAsync<JsonElement>(location, timeout.Token);
            var state = status.GetProperty("state").GetString();
            if (state is "Succeeded" or "Failed" or "Dead" or "Cancelled")
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
        }

        status.GetProperty("state").GetString().Should().Be("Succeeded", status.ToString());
        status.GetProperty("result").GetInt32().Should().Be(3);
    }
}
