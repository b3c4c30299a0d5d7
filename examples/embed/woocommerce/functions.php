<?php
/**
 * chatgw storefront widget for WooCommerce (any WordPress theme).
 *
 * Add to the child theme's functions.php, or save as
 * wp-content/mu-plugins/chatgw-widget.php. Set the gateway and the store's
 * public key in wp-config.php:
 *
 *   define( 'CHATGW_GATEWAY', 'https://chat.your-shop.example' );
 *   define( 'CHATGW_STORE_KEY', 'pk_live_...' );
 *
 * and allow the shop's origin in the store's chatgw file:
 *   allowed_origins = ["https://your-shop.example"]
 *
 * The `strategy` argument (defer) needs WordPress 6.3 or later.
 *
 * WordPress already prints <html lang="..."> from the site language, which
 * the widget follows.
 */

add_action( 'wp_enqueue_scripts', function () {
	if ( ! defined( 'CHATGW_GATEWAY' ) || ! defined( 'CHATGW_STORE_KEY' ) || is_admin() ) {
		return;
	}
	wp_enqueue_script(
		'chatgw-widget',
		untrailingslashit( CHATGW_GATEWAY ) . '/widget.js',
		array(),
		null, // The gateway versions and caches the script itself.
		array( 'in_footer' => true, 'strategy' => 'defer' )
	);
} );

// The widget reads its key from the script tag's data-store-key attribute.
add_filter( 'script_loader_tag', function ( $tag, $handle ) {
	if ( 'chatgw-widget' !== $handle ) {
		return $tag;
	}
	return str_replace( ' src=', ' data-store-key="' . esc_attr( CHATGW_STORE_KEY ) . '" src=', $tag );
}, 10, 2 );
