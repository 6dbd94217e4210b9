using System.Diagnostics;

namespace Strata.Sample.Api.Tests.Infrastructure;

/// <summary>
/// A trace the test starts, as a calling service would: requests sent while it is current carry its W3C context
/// (HttpClient propagates <see cref="Activity.Current"/> in the <c>traceparent</c> header), so the test knows the
/// trace id the server continues.
/// </summary>
internal static class TestTrace
{
    public static Activity Start()
    {
        var activity = new Activity("strata-sample-test-caller");
        activity.SetIdFormat(ActivityIdFormat.W3C);
        activity.SetParentId(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        return activity.Start();
    }
}
