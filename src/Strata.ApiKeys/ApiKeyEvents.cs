namespace Strata.ApiKeys;

/// <summary>Hooks into API-key authentication, in the style of the framework's JWT bearer events.</summary>
public class ApiKeyEvents
{
    private static readonly Func<ApiKeyValidatedContext, Task> NoValidatedHandler = _ => Task.CompletedTask;

    /// <summary>Called after a key was validated and the principal built; may add claims or call <c>Fail</c>.</summary>
    public Func<ApiKeyValidatedContext, Task> OnValidated { get; set; } = NoValidatedHandler;

    /// <summary>Called when a key was not accepted.</summary>
    public Func<ApiKeyAuthenticationFailedContext, Task> OnAuthenticationFailed { get; set; } = _ => Task.CompletedTask;

    /// <summary>Called before the 401 (or 429, 503) challenge is written; call <c>HandleResponse()</c> to write your own.</summary>
    public Func<ApiKeyChallengeContext, Task> OnChallenge { get; set; } = _ => Task.CompletedTask;

    /// <summary>Called before the 403 response is written; call <c>HandleResponse()</c> to write your own.</summary>
    public Func<ApiKeyForbiddenContext, Task> OnForbidden { get; set; } = _ => Task.CompletedTask;

    /// <summary>True when neither <see cref="OnValidated"/> nor <see cref="Validated"/> was replaced: the handler skips the event (and its context).</summary>
    internal bool ValidatedIsDefault => ReferenceEquals(OnValidated, NoValidatedHandler) && GetType() == typeof(ApiKeyEvents);

    /// <summary>Invokes <see cref="OnValidated"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The handler's task.</returns>
    public virtual Task Validated(ApiKeyValidatedContext context) => OnValidated(context);

    /// <summary>Invokes <see cref="OnAuthenticationFailed"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The handler's task.</returns>
    public virtual Task AuthenticationFailed(ApiKeyAuthenticationFailedContext context) => OnAuthenticationFailed(context);

    /// <summary>Invokes <see cref="OnChallenge"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The handler's task.</returns>
    public virtual Task Challenge(ApiKeyChallengeContext context) => OnChallenge(context);

    /// <summary>Invokes <see cref="OnForbidden"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>The handler's task.</returns>
    public virtual Task Forbidden(ApiKeyForbiddenContext context) => OnForbidden(context);
}
