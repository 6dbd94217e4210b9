using Microsoft.Extensions.Time.Testing;
using Strata.RateLimiting.Internal;

namespace Strata.RateLimiting.Tests;

/// <summary>The store's circuit breaker on its own, under a fake clock: when it opens, how it probes, how it recovers.</summary>
public sealed class CircuitBreakerTests
{
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly CircuitBreaker _breaker;

    public CircuitBreakerTests() => _breaker = new CircuitBreaker(failureThreshold: 3, BreakDuration, _time);

    [Fact]
    public void Circuit_opens_exactly_at_the_failure_threshold()
    {
        _breaker.OnFailure().Should().BeFalse();
        _breaker.OnFailure().Should().BeFalse();
        _breaker.IsOpen.Should().BeFalse("two failures are one short of the threshold");
        _breaker.TryEnter().Should().BeTrue();

        _breaker.OnFailure().Should().BeTrue("the third failure in a row opens the circuit");

        _breaker.IsOpen.Should().BeTrue();
        _breaker.TryEnter().Should().BeFalse();
        _breaker.RemainingBreak.Should().Be(BreakDuration);
    }

    [Fact]
    public void A_success_between_failures_starts_the_count_again()
    {
        _breaker.OnFailure();
        _breaker.OnFailure();
        _breaker.OnSuccess().Should().BeFalse("the circuit was not open");

        _breaker.OnFailure().Should().BeFalse();
        _breaker.OnFailure().Should().BeFalse();

        _breaker.IsOpen.Should().BeFalse("only two failures in a row since the success");
    }

    [Fact]
    public void Open_circuit_lets_no_call_through_until_the_break_is_over()
    {
        Open();

        _time.Advance(BreakDuration - TimeSpan.FromMilliseconds(1));

        _breaker.TryEnter().Should().BeFalse();
        _breaker.RemainingBreak.Should().Be(TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void Remaining_break_is_zero_not_negative_while_a_late_probe_is_in_flight()
    {
        // Mutation testing (docs/testing.md): without the clamp, Retry-After went negative once the break was over.
        Open();
        _time.Advance(BreakDuration);
        _breaker.TryEnter().Should().BeTrue("the probe");

        _time.Advance(TimeSpan.FromSeconds(5));

        _breaker.TryEnter().Should().BeFalse("the probe is still in flight");
        _breaker.RemainingBreak.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Exactly_one_probe_goes_through_while_half_open()
    {
        Open();
        _time.Advance(BreakDuration);

        var entered = Enumerable.Range(0, 10).Count(_ => _breaker.TryEnter());

        entered.Should().Be(1, "after the break one call probes the store; the others wait for its outcome");
        _breaker.IsOpen.Should().BeTrue();
    }

    [Fact]
    public void Successful_probe_closes_the_circuit()
    {
        Open();
        _time.Advance(BreakDuration);
        _breaker.TryEnter().Should().BeTrue();

        _breaker.OnSuccess().Should().BeTrue("the probe's success closed the circuit");

        _breaker.IsOpen.Should().BeFalse();
        Enumerable.Range(0, 10).Should().OnlyContain(_ => _breaker.TryEnter(), "a closed circuit lets every call through");
        _breaker.RemainingBreak.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Failed_probe_opens_the_circuit_for_another_full_break()
    {
        Open();
        _time.Advance(BreakDuration);
        _breaker.TryEnter().Should().BeTrue();

        _breaker.OnFailure().Should().BeFalse("the circuit did not close in between, so it is not newly opened");

        _breaker.IsOpen.Should().BeTrue();
        _breaker.TryEnter().Should().BeFalse();
        _breaker.RemainingBreak.Should().Be(BreakDuration, "the new break starts at the probe's failure");
        _time.Advance(BreakDuration);
        _breaker.TryEnter().Should().BeTrue("after the new break, one probe again");
        _breaker.TryEnter().Should().BeFalse();
    }

    [Fact]
    public void Cancelled_probe_lets_the_next_call_probe()
    {
        Open();
        _time.Advance(BreakDuration);
        _breaker.TryEnter().Should().BeTrue();
        _breaker.TryEnter().Should().BeFalse();

        _breaker.OnCanceled();

        _breaker.TryEnter().Should().BeTrue("a cancelled probe says nothing about the store");
        _breaker.TryEnter().Should().BeFalse();
    }

    private void Open()
    {
        for (var i = 0; i < 3; i++)
        {
            _breaker.OnFailure();
        }

        _breaker.IsOpen.Should().BeTrue();
    }
}
