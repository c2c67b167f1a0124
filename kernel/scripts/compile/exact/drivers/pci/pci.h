/* SPDX-License-Identifier: GPL-2.0 */
/* What drivers/pci/tph.c takes from the PCI core's private drivers/pci/pci.h */
int pci_msix_write_tph_tag(struct pci_dev *pdev, unsigned int index, u16 tag);
int pci_add_ext_cap_save_buffer(struct pci_dev *dev, u16 cap, unsigned int size);
struct pci_cap_saved_state *pci_find_saved_ext_cap(struct pci_dev *dev, u16 cap);
void pci_tph_init(struct pci_dev *pdev);
void pci_no_tph(void);
void pci_save_tph_state(struct pci_dev *dev);
void pci_restore_tph_state(struct pci_dev *dev);

struct pci_cap_saved_data {
	u16		cap_nr;
	bool		cap_extended;
	unsigned int	size;
	u32		data[];
};

struct pci_cap_saved_state {
	struct hlist_node		next;
	struct pci_cap_saved_data	cap;
};
