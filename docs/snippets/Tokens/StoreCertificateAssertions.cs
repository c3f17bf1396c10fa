using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using DPoP.Http;
using Microsoft.Extensions.Configuration;

namespace DPoP.Http.Docs.Snippets.Tokens;

#region assertion-provider
/// <summary>
/// private_key_jwt assertions signed by a key that never leaves its store: an ECDSA P-256 certificate key in the
/// machine's certificate store (CNG, a smart card or an HSM behind it). A key vault client signs the same way.
/// </summary>
public sealed class StoreCertificateAssertions(IConfiguration configuration) : IDPoPClientAssertionProvider
{
    public ValueTask<string> CreateAssertionAsync(DPoPClientAssertionContext context, CancellationToken cancellationToken)
    {
        using var store = new X509Store(StoreName.My, StoreLocation.LocalMachine, OpenFlags.ReadOnly);
        using var certificate = store.Certificates
            .Find(X509FindType.FindByThumbprint, configuration["Orders:AssertionCertificateThumbprint"]!, validOnly: false)
            .Single();
        using var key = certificate.GetECDsaPrivateKey()!;

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Encode(new Dictionary<string, object> { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = certificate.Thumbprint });
        var payload = Encode(new Dictionary<string, object>
        {
            ["iss"] = context.ClientId,
            ["sub"] = context.ClientId,
            ["aud"] = context.Audience,
            ["jti"] = Guid.NewGuid().ToString("N"), // new for every call: servers refuse a replayed jti
            ["iat"] = now,
            ["exp"] = now + 60,
        });

        var signature = key.SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return ValueTask.FromResult($"{header}.{payload}.{Base64Url.EncodeToString(signature)}");
    }

    private static string Encode(Dictionary<string, object> members) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(members));
}
#endregion
