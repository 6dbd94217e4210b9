using Strata.Sample.Api.Cli;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

public sealed class CommandLineTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    [Fact]
    public void No_verb_runs_the_host_with_every_argument()
    {
        var command = SampleCommand.Parse(["--role", "api", "--Api:RequestsPerMinute=10"]);

        command.Should().BeOfType<RunHostCommand>().Which.HostArgs.Should().Equal("--role", "api", "--Api:RequestsPerMinute=10");
    }

    [Fact]
    public void Keys_create_reads_its_options_and_passes_the_rest_to_the_host()
    {
        var command = SampleCommand.Parse(["keys", "create", "--name", "ci", "--scopes", "analyze,jobs:write", "--plan=pro", "--ConnectionStrings:Database=Data Source=x.db"]);

        var create = command.Should().BeOfType<KeysCreateCommand>().Subject;
        create.Name.Should().Be("ci");
        create.Scopes.Should().Equal("analyze", "jobs:write");
        create.Plan.Should().Be("pro");
        create.HostArgs.Should().Equal("--ConnectionStrings:Database=Data Source=x.db");
    }

    [Theory]
    [InlineData("keys")]
    [InlineData("keys", "delete")]
    [InlineData("keys", "create", "--name", "x")]
    [InlineData("healthcheck", "--bogus")]
    public void A_wrong_command_line_is_a_usage_error(params string[] args)
        => SampleCommand.Parse(args).Should().BeOfType<UsageError>();

    [Fact]
    public void Healthcheck_defaults_to_the_container_port()
        => SampleCommand.Parse(["healthcheck"]).Should().Be(new HealthCheckCommand("http://127.0.0.1:8080/health/ready"));

    [Fact]
    public async Task Healthcheck_exits_0_when_ready_answers_200_and_1_when_nothing_listens()
    {
        factory.StartServer();
        using var client = factory.CreateClient();
        var address = client.BaseAddress!;

        (await new HealthCheckCommand(new Uri(address, "/health/ready").ToString()).RunAsync()).Should().Be(0);
        (await new HealthCheckCommand(new Uri(address, "/no-such-route").ToString()).RunAsync()).Should().Be(1);
        (await new HealthCheckCommand($"http://127.0.0.1:{FreePort()}/health/ready").RunAsync()).Should().Be(1);
        (await new HealthCheckCommand("not a url").RunAsync()).Should().Be(1);
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
