namespace DPoP.Http.Benchmarks;

/// <summary>
/// Hands the handler the null-signature key (<see cref="NullSignatureECDsa"/>), as an app's own provider (a key
/// vault, an HSM) hands its key: <c>AddDPoPKeyProvider&lt;NullSignerKeyProvider&gt;()</c>.
/// </summary>
internal sealed class NullSignerKeyProvider : IDPoPKeyProvider
{
    public static DPoPKey Key { get; } = NullSignatureECDsa.CreateKey();

    public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) => ValueTask.FromResult(Key);
}
