namespace DPoP.Http.Internal;

/// <summary>The built-in <c>private_key_jwt</c>: assertions signed with the key configured in <see cref="DPoPTokenClientOptions"/>.</summary>
internal sealed class PrivateKeyJwtAssertionProvider(DPoPTokenClientOptions options, TimeProvider timeProvider) : IDPoPClientAssertionProvider
{
    private readonly Lazy<DPoPKey> _key = new(() => DPoPTokenClientOptionsRules.LoadAssertionKey(options));

    public ValueTask<string> CreateAssertionAsync(DPoPClientAssertionContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(DPoPClientAssertion.Create(_key.Value, context.ClientId, context.Audience, options.ClientAssertionKeyId, timeProvider));
}
