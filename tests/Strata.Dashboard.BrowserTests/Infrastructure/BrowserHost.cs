using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Strata.ApiKeys;
using Strata.Jobs;
using Strata.Testing;

namespace Strata.Dashboard.BrowserTests.Infrastructure;

/// <summary>
/// One sample host (<see cref="DashboardSampleFactory"/>, over the shared real redis-server) and one headless Chromium
/// (Debian's <c>/usr/bin/chromium</c>, driven by Playwright's bundled driver; nothing is downloaded) for every test of
/// the collection. An admin key is created and signed in through the form once; <see cref="OpenAsync"/> gives each
/// test a fresh browser context with that sign-in (or none).
/// </summary>
public sealed class BrowserHost : IAsyncLifetime
{
    /// <summary>
    /// How long a browser action or a wait for a job may take. A page answers in milliseconds and a probe job runs in
    /// well under a second; 30 s leaves room for a 2-core CI machine that builds and tests five projects at once.
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Where Debian's chromium package puts the browser (build/test.sh installs it).</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string? _signedInState;

    public DashboardSampleFactory Sample { get; private set; } = null!;

    /// <summary>A key with the admin scope, signed in once through the form.</summary>
    public string AdminKey { get; private set; } = "";

    public IJobQueue Queue => Sample.Services.GetRequiredService<IJobQueue>();

    public IJobStore Store => Sample.Services.GetRequiredService<IJobStore>();

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"No browser at {ChromiumPath}. Install Debian's package: sudo apt-get install -y chromium (build/test.sh does this when run as root).");
        }

        var redis = await RedisServer.GetSharedAsync();
        Sample = new DashboardSampleFactory(redis.ConnectionString);
        _ = Sample.Address;
        AdminKey = await CreateKeyAsync(["admin"], owner: "browser-admin");

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Root in a container has no user namespace for the sandbox; /dev/shm is small there.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            Timeout = (float)Timeout.TotalMilliseconds,
        });

        await using var session = await OpenAsync(signedIn: false);
        await SignInThroughFormAsync(session.Page, AdminKey);
        _signedInState = await session.Context.StorageStateAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Sample?.Dispose();
    }

    /// <summary>
    /// A new browser context (its own cookies) at 1280x800 on the sample, signed in with <see cref="AdminKey"/> unless
    /// <paramref name="signedIn"/> is false. <paramref name="bypassCsp"/> turns the page's Content-Security-Policy off,
    /// to prove that markup alone keeps hostile data inert.
    /// </summary>
    public async Task<BrowserSession> OpenAsync(bool signedIn = true, bool bypassCsp = false)
    {
        var context = await _browser!.NewContextAsync(new()
        {
            BaseURL = Sample.Address.ToString(),
            ViewportSize = new() { Width = 1280, Height = 800 },
            StorageState = signedIn ? _signedInState : null,
            BypassCSP = bypassCsp,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)Timeout.TotalMilliseconds);
        return new BrowserSession(context, await context.NewPageAsync());
    }

    /// <summary>Fills the sign-in form with <paramref name="key"/> and presses the button.</summary>
    public static async Task SignInThroughFormAsync(IPage page, string key)
    {
        await page.GotoAsync("/strata-login");
        await page.GetByLabel("Admin API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    public async Task<string> CreateKeyAsync(string[] scopes, string owner) => (await CreateApiKeyAsync(scopes, owner)).Key;

    /// <summary>Creates a key with the sample's <see cref="IApiKeyManager"/>: its plaintext and its record (the id the pages show).</summary>
    public Task<CreatedApiKey> CreateApiKeyAsync(string[] scopes, string owner) =>
        Sample.Services.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest
        {
            Owner = owner,
            Name = $"browser-{Guid.NewGuid():N}",
            Scopes = scopes,
        });

    /// <summary>An HTTP client on the sample's Kestrel address (real sockets, like any API client); dispose it.</summary>
    public HttpClient CreateHttpClient() => new() { BaseAddress = Sample.Address, Timeout = Timeout };

    /// <summary>Enqueues a probe job (one attempt: a failure makes it dead).</summary>
    public ValueTask<string> EnqueueAsync(ProbeJob job, string owner, string? queue = null, TimeSpan? delay = null) =>
        Queue.EnqueueAsync(job, new JobOptions { Owner = owner, Queue = queue, Delay = delay, MaxAttempts = 1 });

    /// <summary>Waits until the job is in <paramref name="state"/>, reading the store (the event the test waits for).</summary>
    public async Task<JobInfo> WaitForStateAsync(string jobId, JobState state)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        JobInfo? job = null;
        while (!deadline.IsCancellationRequested)
        {
            job = await Store.GetAsync(jobId, deadline.Token);
            if (job?.State == state)
            {
                return job;
            }

            try
            {
                await poll.WaitForNextTickAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"Job {jobId} did not reach {state} within {Timeout.TotalSeconds} s; it is {job?.State.ToString() ?? "gone"} (error: {job?.Error ?? "none"}).");
    }
}
