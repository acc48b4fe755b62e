using System.Net;
using NewsCms.Web.Features.Webhooks;

namespace NewsCms.Tests.Unit;

/// <summary>Which addresses webhooks may call (server-side request forgery), and Ghost's signature format.</summary>
public class WebhookTargetsTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("10.0.0.1")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("192.0.0.8")]
    [InlineData("198.18.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("fec0::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:c0a8:0101::1")]
    [InlineData("2001:0:4136:e378::1")]
    public void Private_loopback_link_local_and_special_addresses_are_not_public(string address) =>
        Assert.False(WebhookTargets.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("192.169.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:93.184.216.34")]
    [InlineData("64:ff9b::808:808")]
    public void Public_addresses_are_public(string address) => Assert.True(WebhookTargets.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://LOCALHOST:5000/hook")]
    [InlineData("http://api.localhost/hook")]
    [InlineData("http://[::1]:8080/")]
    [InlineData("http://[::ffff:169.254.169.254]/")]
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f.0.0.1/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("https://10.0.0.5/hook")]
    [InlineData("http://0.0.0.0:80/")]
    public void Private_targets_are_refused_unless_allowed(string url)
    {
        Assert.Contains("private address", WebhookTargets.Validate(url, allowPrivateTargets: false));
        Assert.Null(WebhookTargets.Validate(url, allowPrivateTargets: true));
    }

    [Theory]
    [InlineData("ftp://hooks.example.com/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/relative/path")]
    [InlineData("hooks.example.com/hook")]
    public void Only_full_http_addresses_are_targets(string url)
    {
        Assert.Equal(WebhookTargets.NotHttp, WebhookTargets.Validate(url, allowPrivateTargets: true));
        Assert.Equal(WebhookTargets.NotHttp, WebhookTargets.Validate(url, allowPrivateTargets: false));
    }

    [Theory]
    [InlineData("https://hooks.example.com/newscms?x=1")]
    [InlineData("http://93.184.216.34:8080/hook")]
    [InlineData("https://[2606:4700::1111]/hook")]
    public void Public_http_targets_are_accepted(string url) => Assert.Null(WebhookTargets.Validate(url, allowPrivateTargets: false));

    [Fact]
    public void The_signature_is_ghosts_format_with_a_space_after_the_comma()
    {
        // HMAC-SHA256("secret", "{}1700000000000"), computed with openssl.
        Assert.Equal("sha256=84658c3edc621b419d932c5077a2d0f53ce4b6666aff13ce491f8bca818caafe, t=1700000000000",
            WebhookSender.Signature("secret", "{}", 1700000000000));
    }
}
