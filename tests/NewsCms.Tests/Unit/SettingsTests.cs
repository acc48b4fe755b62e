using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using NewsCms.Web.Features.Hosting;
using NewsCms.Web.Features.Settings;

namespace NewsCms.Tests.Unit;

public class SettingsTests
{
    [Theory]
    [InlineData("https://news.example.org", true)]
    [InlineData("http://localhost:5080/", true)]
    [InlineData("news.example.org", false)]
    [InlineData("ftp://news.example.org", false)]
    [InlineData("https://news.example.org/?x=1", false)]
    public void The_base_url_must_be_an_absolute_http_origin(string url, bool valid)
    {
        var options = new SiteOptions { BaseUrl = url };
        var results = new List<ValidationResult>();
        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        if (!valid) Assert.Contains("NewsCms:Site:BaseUrl", results[0].ErrorMessage);
    }

    [Fact]
    public void The_root_settings_file_sits_before_the_environment_variables()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddRootSettingsFile();
        var sources = builder.Configuration.Sources.ToList();
        var root = sources.FindIndex(s => s is JsonConfigurationSource json && json.Path == "appsettings.json"
            && json.FileProvider is Microsoft.Extensions.FileProviders.PhysicalFileProvider provider
            && provider.Root.TrimEnd('/') == AppContext.BaseDirectory.TrimEnd('/'));
        var environment = sources.FindLastIndex(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        Assert.True(root >= 0, "the root appsettings.json source is registered");
        Assert.True(root < environment, "environment variables come after (and so override) the root file");
    }

    [Fact]
    public void The_root_settings_file_travels_with_the_build_and_holds_no_secret()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        Assert.True(File.Exists(path));
        var text = File.ReadAllText(path);
        Assert.Contains("\"NewsCms\"", text);
        Assert.Contains("\"AdminPassword\": \"\"", text);
        Assert.DoesNotContain("\"Password\":", text.Replace("\"AdminPassword\"", ""));
    }
}
