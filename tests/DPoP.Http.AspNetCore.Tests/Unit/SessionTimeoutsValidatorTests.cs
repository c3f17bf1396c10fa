using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Tests.Unit;

public sealed class SessionTimeoutsValidatorTests
{
    [TestCase("RefreshTimeout", 0)]
    [TestCase("RefreshTimeout", -1)]
    [TestCase("RevocationTimeout", 0)]
    [TestCase("RevocationTimeout", 301)]
    public void DPoPOptions_WithTimeoutOutOfRange_FailNamingSchemeAndProperty(string property, int seconds)
    {
        var value = TimeSpan.FromSeconds(seconds);
        using var services = UnitServices.Build(configureDPoP: o =>
        {
            if (property == "RefreshTimeout")
            {
                o.RefreshTimeout = value;
            }
            else
            {
                o.RevocationTimeout = value;
            }
        });

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<DPoPOpenIdConnectOptions>>().Get("oidc"));

        Assert.That(failure!.Message, Does.Contain($"DPoP options of OpenID Connect scheme 'oidc': {property} must be between 00:00:00 exclusive and 00:05:00"));
    }

    [Test]
    public void DPoPOptions_ByDefault_BoundRefreshAndRevocationToFiveSeconds()
    {
        using var services = UnitServices.Build();

        var options = services.GetRequiredService<IOptionsMonitor<DPoPOpenIdConnectOptions>>().Get("oidc");

        Assert.Multiple(() =>
        {
            Assert.That(options.RefreshTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.RevocationTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
        });
    }
}
